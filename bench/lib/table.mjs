// Aligned markdown tables for stdout, and the cell formatting of results.

/** Formats rows (arrays of strings) under `headers` as an aligned markdown table. */
export function formatTable(headers, rows, rightAlign = () => true) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const pad = (s, i) => (i > 0 && rightAlign(i) ? String(s).padStart(widths[i]) : String(s).padEnd(widths[i]));
  const line = (cells) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i > 0 && rightAlign(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** Three significant digits, no exponent for the ranges these tables hold. */
export function fmt(x) {
  if (!Number.isFinite(x)) return "-";
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/**
 * One result cell: the value plus marks — `!` output mismatch, `*` one cold
 * call only (too slow to sample), `?` not checked (no reference ran).
 */
export function cell(entry) {
  if (!entry) return "";
  switch (entry.status) {
    case "n/a":
      return "n/a";
    case "skipped":
      return "skip";
    case "error":
      return "ERR";
    default: {
      let marks = "";
      if (!entry.check) marks += "?";
      else if (!entry.check.ok) marks += "!";
      if (entry.status === "single") marks += "*";
      return fmt(entry.value) + marks;
    }
  }
}

/** Speedup as "2.31x" (or "-" when either side is missing). */
export function ratio(x) {
  return Number.isFinite(x) && x > 0 ? `${fmt(x)}x` : "-";
}
