/**
 * The conformance runner's judgement (scripts/conformance/): the baseline file, the suite's
 * requirement lists, verdicts from the suite's output and result files, and the summary table.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseExpectedFailures, suiteBaselineYaml } from '../../scripts/conformance/expected-failures.ts'
import { failedChecks, failsRun, runNotes, type ScenarioRun, suiteVerdict, verdictOf } from '../../scripts/conformance/scenario-verdict.ts'
import { authScenariosOf, REVISIONS, requiredAuthScenarios } from '../../scripts/conformance/suite-package.ts'
import { summaryMarkdown } from '../../scripts/conformance/summary-table.ts'

const REQUIRED = new Map([
  ['2025-11-25', ['auth/metadata-default', 'auth/pre-registration']],
  ['2026-07-28', ['auth/metadata-default', 'auth/pre-registration', 'auth/resource-mismatch']],
])

describe('parseExpectedFailures', () => {
  it('reads entries per revision, with their reasons', () => {
    const baselines = parseExpectedFailures("'2026-07-28':\n  auth/pre-registration: no client for a server on a random port\n'2025-11-25': {}\n", REQUIRED)
    expect(baselines.get('2026-07-28')).toEqual(new Map([['auth/pre-registration', 'no client for a server on a random port']]))
    expect(baselines.get('2025-11-25')).toEqual(new Map())
  })

  it('gives every revision an empty baseline for an empty file', () => {
    expect([...parseExpectedFailures('# nothing yet\n', REQUIRED).values()].every((baseline) => baseline.size === 0)).toBe(true)
  })

  it.each([
    ["'2024-01-01': {}", /not one the runner runs/],
    ["'2025-11-25':\n  - auth/pre-registration", /mapping of scenario to reason/],
    ["'2025-11-25':\n  auth/resource-mismatch: not at this revision", /not a scenario this revision requires/],
    ["'2025-11-25':\n  initialize: not auth", /not a client auth scenario/],
    ["'2025-11-25':\n  auth/pre-registration:", /needs a reason of one line/],
    ["'2025-11-25':\n  auth/pre-registration: |\n    two\n    lines", /needs a reason of one line/],
    ['- a list', /mapping of revision/],
  ])('refuses %j', (text, message) => {
    expect(() => parseExpectedFailures(text, REQUIRED)).toThrow(message)
  })

  it("writes a revision's list in the suite's format", () => {
    expect(
      suiteBaselineYaml(
        new Map([
          ['auth/b', 'x'],
          ['auth/a', 'y'],
        ]),
      ),
    ).toBe('client:\n  - auth/a\n  - auth/b\n')
    expect(suiteBaselineYaml(new Map())).toBe('client: []\n')
  })

  it('accepts the committed baseline', () => {
    const required = new Map(REVISIONS.map((revision) => [revision as string, requiredAuthScenarios(revision)]))
    expect(() => parseExpectedFailures(readFileSync(new URL('../../scripts/conformance/expected-failures.yml', import.meta.url), 'utf8'), required)).not.toThrow()
  })
})

describe('the suite requirement lists', () => {
  it('keeps only the client auth scenarios', () => {
    const yaml = 'server:\n  - auth/not-client\nclient:\n  - initialize\n  - auth/metadata-default\n  - auth/iss-supported\n'
    expect(authScenariosOf(yaml, 'x')).toEqual(['auth/metadata-default', 'auth/iss-supported'])
    expect(() => authScenariosOf('server: []\n', 'x')).toThrow(/no list of client scenarios/)
  })

  it('reads the installed suite: 2026-07-28 requires more auth scenarios than 2025-11-25, among them every 2025-11-25 one', () => {
    const older = requiredAuthScenarios('2025-11-25')
    const newer = requiredAuthScenarios('2026-07-28')
    expect(older).toContain('auth/scope-step-up')
    expect(newer).toContain('auth/resource-mismatch')
    expect(older).not.toContain('auth/resource-mismatch')
    expect(older.every((scenario) => newer.includes(scenario))).toBe(true)
  })
})

describe('verdicts', () => {
  it("reads the suite's overall line", () => {
    expect(suiteVerdict('Passed: 18/18\n\n✅ OVERALL: PASSED\n')).toBe(true)
    expect(suiteVerdict('⚠️  CLIENT EXITED WITH ERROR\n❌ OVERALL: FAILED\nBaseline check passed')).toBe(false)
    expect(suiteVerdict('Client test error: boom')).toBeNull()
  })

  it('judges against the baseline, failing the run on an unexpected failure and a stale entry', () => {
    expect(verdictOf(true, false)).toBe('pass')
    expect(verdictOf(false, false)).toBe('fail')
    expect(verdictOf(false, true)).toBe('expected failure')
    expect(verdictOf(true, true)).toBe('stale baseline')
    expect(['pass', 'fail', 'expected failure', 'stale baseline'].filter((verdict) => failsRun(verdict as never))).toEqual(['fail', 'stale baseline'])
  })

  it('lists failed and warning checks, not the others', () => {
    const checks = JSON.stringify([
      { id: 'a', status: 'SUCCESS', description: 'fine' },
      { id: 'b', status: 'FAILURE', description: 'bad', errorMessage: 'very\n bad' },
      { id: 'c', status: 'WARNING', description: 'should' },
      { id: 'd', status: 'INFO', description: 'note' },
    ])
    expect(failedChecks(checks)).toEqual(['b: very bad', 'warning c: should'])
    expect(failedChecks('{')).toEqual(['checks.json is not JSON'])
  })

  it("notes the adapter's refusal, its last progress line, its exit and a timeout", () => {
    const stderr = 'latchkey-mcp-client: connect flow 1\nlatchkey-mcp-client: refused after 1 authorization(s): resource_mismatch: x\nnoise\n'
    expect(runNotes('refused: resource_mismatch\n', stderr, 'Client exited with code 1\nClient timed out after 30000ms')).toEqual([
      'adapter refused: resource_mismatch',
      'refused after 1 authorization(s): resource_mismatch: x',
      'adapter exit 1',
      'adapter timed out',
    ])
    expect(runNotes('', '', '')).toEqual([])
  })
})

describe('summaryMarkdown', () => {
  const run = (scenario: string, revision: string, verdict: ScenarioRun['verdict'], extra: Partial<ScenarioRun> = {}): ScenarioRun => ({
    scenario,
    revision,
    suitePassed: verdict === 'pass' || verdict === 'stale baseline',
    verdict,
    baselineReason: null,
    failedChecks: [],
    notes: [],
    durationMs: 1000,
    ...extra,
  })

  it('tables scenario x revision and explains every cell that is not a pass', () => {
    const summary = summaryMarkdown(
      [
        run('auth/metadata-default', '2025-11-25', 'pass'),
        run('auth/metadata-default', '2026-07-28', 'fail', { failedChecks: ['prm-pathbased-requested: never asked'], notes: ['adapter exit 1'] }),
        run('auth/resource-mismatch', '2026-07-28', 'expected failure', { baselineReason: 'not yet' }),
      ],
      ['2025-11-25', '2026-07-28'],
      61_234,
    )
    expect(summary).toContain('| `auth/metadata-default`  | pass       | **FAIL**         |')
    expect(summary).toContain('| `auth/resource-mismatch` | —          | expected failure |')
    expect(summary).toContain('1 pass, 1 expected failures, 1 unexpected failures, 0 stale baseline entries; 61.2 s.')
    expect(summary).toContain('### `auth/metadata-default` at 2026-07-28: fail\n\n- check prm-pathbased-requested: never asked\n- adapter exit 1')
    expect(summary).toContain('### `auth/resource-mismatch` at 2026-07-28: expected failure\n\n- baseline: not yet')
    expect(summary).not.toContain('at 2025-11-25: pass')
  })
})
