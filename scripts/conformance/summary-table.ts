/**
 * The run's summary as Markdown: a table of client-auth scenario x revision -> verdict, then,
 * for every cell that is not a plain pass, why (failed checks, the adapter's last words, the
 * baseline's reason). Written to stdout and test-artifacts/conformance/summary.md.
 */
import type { ScenarioRun, Verdict } from './scenario-verdict.ts'

const CELL: Readonly<Record<Verdict, string>> = {
  pass: 'pass',
  fail: '**FAIL**',
  'expected failure': 'expected failure',
  'stale baseline': '**passes, still in baseline**',
}

/** The summary of `runs` over `revisions` (columns in that order), with the run's wall time. */
export function summaryMarkdown(runs: readonly ScenarioRun[], revisions: readonly string[], wallTimeMs: number): string {
  const scenarios = [...new Set(runs.map((run) => run.scenario))].sort()
  const byKey = new Map(runs.map((run) => [`${run.scenario} ${run.revision}`, run]))
  const rows = scenarios.map((scenario) => [`\`${scenario}\``, ...revisions.map((revision) => cell(byKey.get(`${scenario} ${revision}`)))])
  const lines = [
    '# MCP conformance: client auth scenarios through Latchkey',
    '',
    ...table(['scenario', ...revisions], rows),
    '',
    `${count(runs, 'pass')} pass, ${count(runs, 'expected failure')} expected failures, ${count(runs, 'fail')} unexpected failures, ${count(runs, 'stale baseline')} stale baseline entries; ${(wallTimeMs / 1000).toFixed(1)} s.`,
  ]
  const explained = runs.filter((run) => run.verdict !== 'pass').sort((a, b) => a.scenario.localeCompare(b.scenario) || a.revision.localeCompare(b.revision))
  if (explained.length > 0) {
    lines.push('', '## Details')
    for (const run of explained) {
      lines.push('', `### \`${run.scenario}\` at ${run.revision}: ${run.verdict}`, '')
      if (run.baselineReason !== null) lines.push(`- baseline: ${run.baselineReason}`)
      for (const check of run.failedChecks) lines.push(`- check ${check}`)
      for (const note of run.notes) lines.push(`- ${note}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function cell(run: ScenarioRun | undefined): string {
  return run === undefined ? '—' : CELL[run.verdict]
}

function count(runs: readonly ScenarioRun[], verdict: Verdict): number {
  return runs.filter((run) => run.verdict === verdict).length
}

/** A Markdown table with padded columns. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)]
}
