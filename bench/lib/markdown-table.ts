/**
 * Markdown tables for the bench report.
 */

/** A markdown table with the given header and rows (cells are already formatted). */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Microseconds as µs below 1 ms, else ms. */
export function formatMicros(us: number): string {
  return us < 1000 ? `${us.toFixed(us < 100 ? 1 : 0)} µs` : `${(us / 1000).toFixed(1)} ms`
}

/** A ratio as `1.23x`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`
}
