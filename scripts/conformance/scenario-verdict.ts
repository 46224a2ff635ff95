/**
 * What one scenario run at one revision came to, from the suite's own output and result files:
 * the suite's verdict (its "OVERALL" line, which counts failed and warning checks, a timeout,
 * and a client exit the scenario does not allow), judged against the baseline.
 */

/** How a (scenario, revision) is reported. */
export type Verdict = 'pass' | 'fail' | 'expected failure' | 'stale baseline'

/** One check as the suite records it in checks.json. */
export interface SuiteCheck {
  id: string
  status: string
  description?: string
  errorMessage?: string
}

/** One finished scenario run. */
export interface ScenarioRun {
  scenario: string
  revision: string
  /** The suite's own verdict; false also when it printed none (it crashed). */
  suitePassed: boolean
  verdict: Verdict
  /** The baseline's reason, when the scenario is in it. */
  baselineReason: string | null
  /** Checks that failed or warned: `id: description`. */
  failedChecks: string[]
  /** The adapter's `refused: <code>`, its last progress line, and how the suite saw it end. */
  notes: string[]
  durationMs: number
}

/** The suite's verdict in a single-scenario run's output (`✅ OVERALL: PASSED` / `❌ OVERALL: FAILED`); null when absent. */
export function suiteVerdict(output: string): boolean | null {
  if (/OVERALL: FAILED/.test(output)) return false
  if (/OVERALL: PASSED/.test(output)) return true
  return null
}

/** The reported verdict of a run the suite passed or not, baselined or not. */
export function verdictOf(suitePassed: boolean, baselined: boolean): Verdict {
  if (baselined) return suitePassed ? 'stale baseline' : 'expected failure'
  return suitePassed ? 'pass' : 'fail'
}

/** Whether a verdict fails the run: an unexpected failure, or a baseline entry that now passes. */
export function failsRun(verdict: Verdict): boolean {
  return verdict === 'fail' || verdict === 'stale baseline'
}

/** The failed and warning checks of a checks.json text, one line each; a file that is not a check list is one line saying so. */
export function failedChecks(checksJson: string): string[] {
  let checks: unknown
  try {
    checks = JSON.parse(checksJson)
  } catch {
    return ['checks.json is not JSON']
  }
  if (!Array.isArray(checks)) return ['checks.json is not a list of checks']
  return checks
    .filter((check): check is SuiteCheck => typeof check === 'object' && check !== null && typeof (check as SuiteCheck).id === 'string')
    .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
    .map((check) => `${check.status === 'WARNING' ? 'warning ' : ''}${check.id}: ${oneLine(check.errorMessage ?? check.description ?? '')}`)
}

/** Notes from the adapter's stdout and stderr and the suite's output: refusal code, last progress line, exit and timeout. */
export function runNotes(adapterStdout: string, adapterStderr: string, suiteOutput: string): string[] {
  const notes: string[] = []
  const refusal = /^refused: ([a-z_]+)$/m.exec(adapterStdout)
  if (refusal !== null) notes.push(`adapter refused: ${refusal[1]}`)
  const lastLine = adapterStderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('latchkey-mcp-client:'))
    .at(-1)
  if (lastLine !== undefined) notes.push(oneLine(lastLine.slice('latchkey-mcp-client:'.length)))
  const exit = /Client exited with code (\d+)/.exec(suiteOutput)
  if (exit !== null) notes.push(`adapter exit ${exit[1]}`)
  if (/CLIENT TIMED OUT|Client timed out/.test(suiteOutput)) notes.push('adapter timed out')
  return notes
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 240 ? `${line.slice(0, 239)}…` : line
}
