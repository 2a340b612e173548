// The README's fenced code blocks, with the marker comment each JS block
// carries on the line before its fence:
//   <!-- runs: NAME -->        the test runs it as written (NAME picks its fixtures and checks)
//   <!-- not run: REASON -->   it cannot run here (a browser page, a bundler config), and says why
// The markers are HTML comments, so a reader on GitHub or npm never sees them.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface ReadmeBlock {
  /** The fence's info string: js, sh, html, ... */
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  /** NAME of a `runs` marker, or undefined. */
  runs: string | undefined;
  /** REASON of a `not run` marker, or undefined. */
  notRun: string | undefined;
  code: string;
}

export function readme(): string {
  return readFileSync(join(ROOT, "README.md"), "utf8");
}

export function readmeBlocks(text = readme()): ReadmeBlock[] {
  const lines = text.split("\n");
  const blocks: ReadmeBlock[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) heading = line;
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence === null) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: a code fence that never closes`);
    const before = i > 0 ? lines[i - 1]! : "";
    blocks.push({
      lang: fence[1]!,
      line: i + 1,
      heading,
      runs: /^<!-- runs: (\S+) -->$/.exec(before)?.[1],
      notRun: /^<!-- not run: (.+\S) -->$/.exec(before)?.[1],
      code: lines.slice(i + 1, end).join("\n") + "\n",
    });
    i = end;
  }
  return blocks;
}
