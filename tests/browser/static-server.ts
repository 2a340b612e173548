// The browser tests' file server is the one `npm run demo` serves with
// (scripts/static-server.mjs): one server, so a fix to one is a fix to both.
export { serveStatic, type StaticServer } from "../../scripts/static-server.mjs";
