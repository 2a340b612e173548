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

/** GB/s of one call taking `ms` on a row that carries `bytes` (memory-bound rows), else NaN. */
export function gbps(wl, ms) {
  return wl?.bytes ? wl.bytes / (ms * 1e6) : NaN;
}

/** The unit column: rows with `bytes` show "GFLOP/s / GB/s", every other row its unit alone. */
export function unitText(wl) {
  return wl.bytes ? `${wl.unit} / GB/s` : wl.unit;
}

/**
 * One result cell: the value plus marks — `!` output mismatch, `*` one cold
 * call only (too slow to sample), `?` not checked (no reference ran). On a
 * row with `bytes` (pass its workload) the value is followed by " / GB/s".
 */
export function cell(entry, wl) {
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
      const bandwidth = gbps(wl, entry.ms);
      return fmt(entry.value) + (Number.isFinite(bandwidth) ? ` / ${fmt(bandwidth)}` : "") + marks;
    }
  }
}

/** Speedup as "2.31x" (or "-" when either side is missing). */
export function ratio(x) {
  return Number.isFinite(x) && x > 0 ? `${fmt(x)}x` : "-";
}
