/**
 * `npm run bench`: the cost of each Latchkey path against its floor, measured on this machine
 * in one run, printed as markdown (issue #7). Runs from a clean clone in a few minutes:
 *
 *   1. compiles connectors/ plus the bench connector (bench/connectors/) into a scratch folder
 *   2. starts the bench upstream (bench/upstream/fake-provider.ts) on 127.0.0.1
 *   3. starts one `wrangler dev` with four Workers in one workerd: the harness
 *      (bench/workers/harness, on the port), Latchkey (the repository's wrangler.toml with
 *      bench settings), the floors (bench/workers/floor) and the minimal baseline
 *      (bench/workers/baseline)
 *   4. rows 1-4 and 6-9 (bench/runtime-bench.ts), row 10 (bench/http-api-bench.ts), then
 *      row 5 (bench/build-bench.ts)
 *
 * `BENCH_ROW=10` runs row 10 alone (steps 1-3, then only it); row 5 alone is bench/build-bench.ts.
 *
 * Everything listens on 127.0.0.1 only; load is bounded by request counts. Ports:
 * BENCH_PORT_BASE (default 8797) to BENCH_PORT_BASE+3. Set BENCH_KEEP_SCRATCH=1 to keep the
 * scratch folder (configs, wrangler logs). Nothing here asserts a timing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { compileConnectors } from '../scripts/compiler/compile.ts'
import { formatDiagnostic, hasErrors } from '../scripts/compiler/diagnostics.ts'
import { writeOutput } from '../scripts/compiler/write-output.ts'
import { runBuildBench } from './build-bench.ts'
import { runHttpApiBench } from './http-api-bench.ts'
import { httpApiNotes, httpApiReport } from './lib/http-api-report.ts'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { REPO_ROOT } from './lib/paths.ts'
import { buildReport, runtimeNotes, runtimeReport } from './lib/report.ts'
import { repositoryCompatibilityDate, writeBaselineConfig, writeFloorConfig, writeHarnessConfig, writeLatchkeyConfig } from './lib/worker-configs.ts'
import { startWranglerDev, stopAllWranglerDev } from './lib/wrangler-dev.ts'
import { PROFILES, runRuntimeBench } from './runtime-bench.ts'
import { startFakeProvider, type FakeProvider } from './upstream/fake-provider.ts'

/** The whole bench is stopped (and cleaned up) if it runs longer than this. */
const DEADLINE_MS = 7 * 60_000
/** Rows that run alone when BENCH_ROW names them (steps 1-3 are shared). */
const ROWS_ALONE = ['10'] as const
const onlyRow = process.env['BENCH_ROW']
if (onlyRow !== undefined && !(ROWS_ALONE as readonly string[]).includes(onlyRow)) {
  console.error(`BENCH_ROW=${onlyRow.slice(0, 20)}: only row ${ROWS_ALONE.join(', ')} runs alone (row 5 alone: npx tsx bench/build-bench.ts).`)
  process.exit(2)
}

const portBase = Number(process.env['BENCH_PORT_BASE'] ?? 8797)
const scratch = mkdtempSync(path.join(tmpdir(), 'latchkey-bench-'))
const started = performance.now()
let provider: FakeProvider | null = null

const progress = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`)
}

async function cleanUp(): Promise<void> {
  await stopAllWranglerDev()
  await provider?.close()
  provider = null
  if (process.env['BENCH_KEEP_SCRATCH'] === '1') progress(`scratch folder kept: ${scratch}`)
  else rmSync(scratch, { recursive: true, force: true })
}

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    progress(`${signal}: stopping`)
    void cleanUp().finally(() => process.exit(130))
  })
}
const deadline = setTimeout(() => {
  progress(`still running after ${DEADLINE_MS / 60_000} minutes: stopping`)
  void cleanUp().finally(() => process.exit(1))
}, DEADLINE_MS)

async function main(): Promise<void> {
  const machine = describeMachine()
  progress(`scratch folder ${scratch}`)
  const generatedDir = path.join(scratch, 'generated-runtime')
  const compiled = await compileConnectors({ rootDir: REPO_ROOT, sourceDirs: ['connectors', 'bench/connectors'], outDir: generatedDir })
  if (hasErrors(compiled.diagnostics)) throw new Error(`connectors do not compile:\n${compiled.diagnostics.map(formatDiagnostic).join('\n')}`)
  writeOutput(generatedDir, compiled.files)

  provider = await startFakeProvider(PROFILES)
  const port = portBase
  const compatibilityDate = repositoryCompatibilityDate()
  const configs = [
    writeHarnessConfig(path.join(scratch, 'harness'), compatibilityDate, provider.origin),
    writeLatchkeyConfig(path.join(scratch, 'latchkey'), { generatedDir, publicBaseUrl: `http://127.0.0.1:${port}`, upstreamOrigin: provider.origin }),
    writeFloorConfig(path.join(scratch, 'floor'), compatibilityDate),
    writeBaselineConfig(path.join(scratch, 'baseline'), compatibilityDate),
  ]
  progress('starting wrangler dev (harness, latchkey, floor and baseline Workers in one workerd)')
  const dev = await startWranglerDev({
    configs,
    port,
    inspectorPort: portBase + 1,
    persistTo: path.join(scratch, 'state'),
    logFile: path.join(scratch, 'wrangler.log'),
    readyPath: '/health',
    timeoutMs: 60_000,
  })
  if (onlyRow === '10') {
    const httpApi = await runHttpApiBench(dev.origin, provider, progress)
    await dev.stop()
    progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    console.log([...reportHeader('## Latchkey benchmarks: row 10', machine), httpApiReport(httpApi), '', ...httpApiNotes(httpApi).map((line) => `- ${line}`)].join('\n'))
    return
  }
  const runtime = await runRuntimeBench(dev.origin, provider, progress)
  const httpApi = await runHttpApiBench(dev.origin, provider, progress)
  await dev.stop()
  await provider.close()
  provider = null

  const builds = await runBuildBench(scratch, { port: portBase + 2, inspectorPort: portBase + 3 }, progress)
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)

  console.log(
    [
      ...reportHeader('## Latchkey benchmarks', machine),
      runtimeReport(runtime),
      '',
      httpApiReport(httpApi),
      '',
      buildReport(builds),
      '',
      ...runtimeNotes(runtime).map((line) => `- ${line}`),
      ...httpApiNotes(httpApi).map((line) => `- ${line}`),
      '- Row 5: ratios are against the 50-connector build; startup includes wrangler and workerd starting, the same for every build.',
    ].join('\n'),
  )
}

/** The report's title and the machine it ran on. */
function reportHeader(title: string, machine: readonly string[]): string[] {
  return [title, '', ...machine.map((line) => `- ${line}`), `- load average (1/5/15 min) at end: ${loadAverage()}`, '']
}

try {
  await main()
} catch (error) {
  process.exitCode = 1
  // Stopping on a signal makes the run in progress fail; that failure is not news.
  if (!stopping) console.error(error instanceof Error ? (error.stack ?? error.message) : error)
} finally {
  clearTimeout(deadline)
  await cleanUp()
}
