/**
 * `npm run test:conformance [-- --revision <r>]... [--scenario <auth/...>]... [--jobs <n>]`:
 * runs the MCP conformance suite's client-auth scenarios against Latchkey. Starts Latchkey under
 * `wrangler dev` (latchkey-under-test.ts), then runs every `auth/...` client scenario that each
 * revision requires (2025-11-25 and 2026-07-28, each at its own wire) with the adapter
 * (latchkey-mcp-client.ts, bundled once by adapter-bundle.ts) as the client under test, a few
 * scenarios at a time. Results are judged against expected-failures.yml: the run fails on a
 * scenario failing outside it, and on one in it that now passes. Writes
 * test-artifacts/conformance/: summary.md (also printed), latchkey.log (wrangler and the Worker),
 * and per scenario the suite's log and result files.
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bundleAdapter } from './adapter-bundle.ts'
import { ADAPTER_ENVIRONMENT } from './adapter-environment.ts'
import { parseExpectedFailures, type RevisionBaseline, suiteBaselineYaml } from './expected-failures.ts'
import { startLatchkeyUnderTest } from './latchkey-under-test.ts'
import { failedChecks, runNotes, type ScenarioRun, suiteVerdict, verdictOf, failsRun } from './scenario-verdict.ts'
import { REVISIONS, requiredAuthScenarios, suiteEntry } from './suite-package.ts'
import { runSuiteScenario } from './suite-run.ts'
import { summaryMarkdown } from './summary-table.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
const HERE = fileURLToPath(new URL('.', import.meta.url))
const OUTPUT_DIR = path.join(ROOT_DIR, 'test-artifacts/conformance')
const BASELINE_FILE = path.join(HERE, 'expected-failures.yml')
/** Scenarios run at once: each is a suite process, one to three small servers, and an adapter process. */
const DEFAULT_JOBS = 3

const USAGE = 'usage: npm run test:conformance [-- --revision <2025-11-25|2026-07-28>]... [--scenario <auth/...>]... [--jobs <1-8>]'

/** One scenario at one revision, to run. */
interface Task {
  scenario: string
  revision: string
  baseline: RevisionBaseline
}

async function main(): Promise<number> {
  const started = performance.now()
  const options = parseOptions(process.argv.slice(2))
  if (typeof options === 'string') {
    console.error(`test:conformance: ${options}\n${USAGE}`)
    return 2
  }
  const required = new Map(REVISIONS.map((revision) => [revision as string, requiredAuthScenarios(revision)]))
  const baselines = parseExpectedFailures(readFileSync(BASELINE_FILE, 'utf8'), required)
  const tasks: Task[] = options.revisions.flatMap((revision) =>
    (required.get(revision) ?? [])
      .filter((scenario) => options.scenarios.length === 0 || options.scenarios.includes(scenario))
      .map((scenario) => ({ scenario, revision, baseline: baselines.get(revision) ?? new Map() })),
  )
  const unknown = options.scenarios.filter((scenario) => !tasks.some((task) => task.scenario === scenario))
  if (unknown.length > 0) {
    console.error(`test:conformance: not a required client auth scenario of ${options.revisions.join(' or ')}: ${unknown.join(', ')}`)
    return 2
  }

  rmSync(OUTPUT_DIR, { recursive: true, force: true })
  mkdirSync(OUTPUT_DIR, { recursive: true })
  const baselineFiles = new Map<string, string>()
  for (const revision of options.revisions) {
    const file = path.join(OUTPUT_DIR, revision, 'expected-failures.yml')
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, suiteBaselineYaml(baselines.get(revision) ?? new Map()))
    baselineFiles.set(revision, file)
  }
  const adapterFile = path.join(OUTPUT_DIR, 'latchkey-mcp-client.mjs')
  await bundleAdapter(path.join(HERE, 'latchkey-mcp-client.ts'), adapterFile)
  const clientCommand = adapterCommand(adapterFile)

  const latchkeyLog = createWriteStream(path.join(OUTPUT_DIR, 'latchkey.log'))
  console.log(`Starting Latchkey under wrangler dev (its output: ${path.relative(ROOT_DIR, OUTPUT_DIR)}/latchkey.log)...`)
  let latchkey: Awaited<ReturnType<typeof startLatchkeyUnderTest>>
  try {
    latchkey = await startLatchkeyUnderTest(ROOT_DIR, (line) => latchkeyLog.write(`${line}\n`))
  } catch (error) {
    await new Promise((resolve) => latchkeyLog.end(resolve))
    console.error(`test:conformance: Latchkey did not start: ${(error as Error).message}\n(wrangler's output is in ${path.relative(ROOT_DIR, OUTPUT_DIR)}/latchkey.log)`)
    return 1
  }
  const stopOnSignal = (): void => {
    void latchkey.stop().finally(() => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  console.log(`Latchkey is serving on ${latchkey.origin}; running ${tasks.length} scenario runs, ${options.jobs} at a time.`)

  const runs: ScenarioRun[] = []
  try {
    await inPool(tasks, options.jobs, async (task) => {
      const run = await runTask(task, {
        clientCommand,
        expectedFailuresFile: baselineFiles.get(task.revision) ?? '',
        environment: {
          [ADAPTER_ENVIRONMENT.latchkeyOrigin]: latchkey.origin,
          [ADAPTER_ENVIRONMENT.apiKey]: latchkey.apiKey,
          [ADAPTER_ENVIRONMENT.returnUrl]: latchkey.returnUrl,
        },
      })
      runs.push(run)
      const mark = run.verdict === 'pass' ? '✓' : run.verdict === 'expected failure' ? '~' : '✗'
      console.log(`${mark} ${run.revision} ${run.scenario}: ${run.verdict} (${(run.durationMs / 1000).toFixed(1)} s)`)
    })
  } finally {
    await latchkey.stop()
    await new Promise((resolve) => latchkeyLog.end(resolve))
    process.off('SIGINT', stopOnSignal)
    process.off('SIGTERM', stopOnSignal)
  }

  const summary = summaryMarkdown(runs, options.revisions, performance.now() - started)
  writeFileSync(path.join(OUTPUT_DIR, 'summary.md'), summary)
  console.log(`\n${summary}`)
  const failing = runs.filter((run) => failsRun(run.verdict))
  console.log(
    failing.length === 0
      ? 'Conformance: every scenario passed or failed as the baseline expects.'
      : `Conformance: ${failing.length} run(s) differ from the baseline (scripts/conformance/expected-failures.yml): ${failing.map((run) => `${run.scenario} at ${run.revision} (${run.verdict})`).join(', ')}.`,
  )
  return failing.length === 0 ? 0 : 1
}

/** Runs one task and reads what it left. */
async function runTask(task: Task, shared: { clientCommand: string; expectedFailuresFile: string; environment: Record<string, string> }): Promise<ScenarioRun> {
  const outputDir = path.join(OUTPUT_DIR, task.revision, task.scenario.replaceAll('/', '__'))
  const result = await runSuiteScenario({
    rootDir: ROOT_DIR,
    hookModule: path.join(HERE, 'node20-fs.mjs'),
    suiteEntry: suiteEntry(),
    clientCommand: shared.clientCommand,
    scenario: task.scenario,
    revision: task.revision,
    expectedFailuresFile: shared.expectedFailuresFile,
    outputDir,
    environment: shared.environment,
  })
  const read = (file: string): string => {
    if (result.resultDir === null) return ''
    try {
      return readFileSync(path.join(result.resultDir, file), 'utf8')
    } catch {
      return ''
    }
  }
  const suitePassed = suiteVerdict(result.output) === true
  const baselineReason = task.baseline.get(task.scenario) ?? null
  const notes = runNotes(read('stdout.txt'), read('stderr.txt'), result.output)
  if (suiteVerdict(result.output) === null) notes.push(`the suite printed no verdict; see ${path.relative(ROOT_DIR, outputDir)}/conformance.log`)
  return {
    scenario: task.scenario,
    revision: task.revision,
    suitePassed,
    verdict: verdictOf(suitePassed, baselineReason !== null),
    baselineReason,
    failedChecks: result.resultDir === null ? [] : failedChecks(read('checks.json')),
    notes,
    durationMs: result.durationMs,
  }
}

/**
 * The client command the suite runs: Node on the bundled adapter. The suite splits the command on
 * spaces and runs it through a shell, so no part may contain whitespace or shell syntax.
 */
function adapterCommand(adapterFile: string): string {
  const parts = [process.execPath, adapterFile]
  const unsafe = parts.find((part) => !/^[A-Za-z0-9_./:@+-]+$/.test(part))
  if (unsafe !== undefined) throw new Error(`the adapter command cannot be passed to the suite: ${JSON.stringify(unsafe)} has characters a shell would read`)
  return parts.join(' ')
}

/** Calls `work` on every item, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** The checked command line, or what is wrong with it. */
function parseOptions(args: readonly string[]): { revisions: string[]; scenarios: string[]; jobs: number } | string {
  let parsed: ReturnType<typeof parseRunArgs>
  try {
    parsed = parseRunArgs(args)
  } catch (error) {
    return (error as Error).message
  }
  const revisions = parsed.values.revision ?? [...REVISIONS]
  const unknownRevision = revisions.find((revision) => !(REVISIONS as readonly string[]).includes(revision))
  if (unknownRevision !== undefined) return `unknown revision ${JSON.stringify(unknownRevision)}`
  const jobs = parsed.values.jobs === undefined ? DEFAULT_JOBS : Number(parsed.values.jobs)
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) return '--jobs takes a whole number from 1 to 8'
  return { revisions: REVISIONS.filter((revision) => revisions.includes(revision)), scenarios: parsed.values.scenario ?? [], jobs }
}

function parseRunArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: { revision: { type: 'string', multiple: true }, scenario: { type: 'string', multiple: true }, jobs: { type: 'string' } },
  })
}

process.exitCode = await main()
