/**
 * The baseline of client-auth scenarios Latchkey is known to fail, per MCP revision
 * (expected-failures.yml): each entry a scenario and a one-line reason. A scenario's result
 * differs between revisions (each runs at its own wire, and 2026-07-28 adds checks), so
 * entries are per revision; the runner hands the suite each revision's list in the suite's own
 * format (`client: [...]`, its `--expected-failures`) and judges the results by it too.
 */
import { parse } from 'yaml'

/** Scenario name -> why Latchkey fails it, for one revision. */
export type RevisionBaseline = ReadonlyMap<string, string>

const SCENARIO = /^auth\/[a-z0-9-]+$/
const LONGEST_REASON = 200

/**
 * Reads the baseline file's text: a mapping of revision -> (scenario -> reason). Every revision
 * must be one of `revisions`, every scenario one that revision requires (`required`), every
 * reason one non-empty line. Throws an Error naming the first problem.
 */
export function parseExpectedFailures(text: string, required: ReadonlyMap<string, readonly string[]>): Map<string, RevisionBaseline> {
  const document: unknown = parse(text)
  const baselines = new Map<string, RevisionBaseline>()
  for (const revision of required.keys()) baselines.set(revision, new Map())
  if (document === null || document === undefined) return baselines
  if (typeof document !== 'object' || Array.isArray(document)) throw new Error('the expected failures are a mapping of revision to scenarios')
  for (const [revision, entries] of Object.entries(document)) {
    const scenarios = required.get(revision)
    if (scenarios === undefined) throw new Error(`revision ${JSON.stringify(revision)} is not one the runner runs (${[...required.keys()].join(', ')})`)
    if (entries === null) continue
    if (typeof entries !== 'object' || Array.isArray(entries)) throw new Error(`${revision}: expected a mapping of scenario to reason`)
    const baseline = new Map<string, string>()
    for (const [scenario, reason] of Object.entries(entries as Record<string, unknown>)) {
      if (!SCENARIO.test(scenario)) throw new Error(`${revision}: ${JSON.stringify(scenario)} is not a client auth scenario name`)
      if (!scenarios.includes(scenario)) throw new Error(`${revision}: ${scenario} is not a scenario this revision requires`)
      if (typeof reason !== 'string' || reason.trim() === '' || /[\r\n]/.test(reason.trim()) || reason.length > LONGEST_REASON) {
        throw new Error(`${revision}: ${scenario} needs a reason of one line (at most ${LONGEST_REASON} characters)`)
      }
      baseline.set(scenario, reason.trim())
    }
    baselines.set(revision, baseline)
  }
  return baselines
}

/** One revision's baseline in the suite's `--expected-failures` format. */
export function suiteBaselineYaml(baseline: RevisionBaseline): string {
  const lines = [...baseline.keys()].sort().map((scenario) => `  - ${scenario}`)
  return lines.length === 0 ? 'client: []\n' : `client:\n${lines.join('\n')}\n`
}
