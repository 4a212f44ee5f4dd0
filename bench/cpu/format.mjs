// Small helpers the benches share: medians, number formats and an aligned text table.

/** Median of the finite values (NaN when there are none). */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 12,345 (rounded); '-' for anything not finite. */
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/** Fixed decimals; '-' for anything not finite. */
export const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * Prints rows as a table: the first column left-aligned, the others right-aligned, each as wide
 * as its widest cell. `rows` are arrays of strings; `header` is one such array.
 */
export function printTable(header, rows, log = console.log) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => String(row[c] ?? '').length)));
  const line = (row) =>
    row
      .map((cell, c) =>
        c === 0 ? String(cell ?? '').padEnd(widths[c]) : String(cell ?? '').padStart(widths[c]),
      )
      .join('  ');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) log(line(row));
}

/** The value after `--name` on the command line, or undefined. */
export function argValue(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** A numeric knob from the environment, else the quick or full default. */
export function knob(name, full, quick) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return process.argv.includes('--quick') ? quick : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}
