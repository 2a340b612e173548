// `npm run demo`: builds the browser demo (scripts/build-demo.mjs) and
// serves it on http://127.0.0.1:$PORT/ (default 8080), offline.
//
//   node scripts/demo.mjs [--port N] [--out DIR]     (PORT=N works too; --port 0 picks a free port)
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "./static-server.mjs";

const DEFAULT_OUT = fileURLToPath(new URL("../build/demo", import.meta.url));

function parseArgs(argv) {
  const options = { port: process.env.PORT ?? "8080", out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port" && argv[i + 1] !== undefined) options.port = argv[++i];
    else if (argv[i] === "--out" && argv[i + 1] !== undefined) options.out = resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; usage: npm run demo -- [--port N] [--out DIR]`);
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the port must be an integer 0..65535, got ${options.port}`);
  return { ...options, port };
}

const options = parseArgs(process.argv.slice(2));
execFileSync(process.execPath, [fileURLToPath(new URL("build-demo.mjs", import.meta.url)), options.out], { stdio: "inherit" });
const server = await serveStatic({ "/": options.out }, { port: options.port, index: true }).catch((e) => {
  if (e.code !== "EADDRINUSE") throw e;
  console.error(`npm run demo: port ${options.port} is taken: pick another with --port N or PORT=N`);
  process.exit(1);
});
console.log(`simdcnn demo at ${server.origin}/`);
console.log("Ctrl+C stops it.");
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => server.close().then(() => process.exit(0)));
