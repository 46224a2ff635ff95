/**
 * Row 5 of `npm run bench`: how build time, bundle size and Worker startup grow with the
 * number of connectors. Synthetic connectors come from the compiler bench's generator
 * (bench/generate-connectors.ts); the repository's own connectors/ are the reference build.
 *
 * Per build: compile time (in process, best of 2), the bundle from
 * `wrangler deploy --dry-run --outdir --outfile` (raw and gzip as wrangler prints them), and
 * startup twice:
 *   - startup CPU: `wrangler check startup --worker <bundle>` (the median of 3, which keeps
 *     `npm run bench` within its 5 minutes) loads the bundle in a local workerd (miniflare),
 *     starts V8's CPU profiler, sends one request that imports the main module, and writes
 *     the profile (~1 ms samples). Two numbers from it:
 *     CPU, the samples not in `(idle)` (running the bundle's top level, its GC), and startup,
 *     from the profile's start to its last non-idle sample. The second includes compiling the
 *     bundle, which workerd does with the isolate marked idle (a bundle of 13 MB of unused
 *     functions shows ~1.2 s of `(idle)` before its first sample and ~0.1 s of `(program)`),
 *     plus a few ms of handing the request over. Cloudflare's limit is 1 s; the target at
 *     1,000 connectors is < 50 ms, judged on the second (it counts compiling; a Worker that
 *     only answers "ok" shows ~3 ms of hand-over before its first sample and no busy one). A
 *     local CPU, not Cloudflare's, and a loaded machine stretches both: read them to several ms.
 *   - `wrangler dev` running that prebuilt bundle as it is (no bundling), from spawn until
 *     /health first answers 200. That includes wrangler's and workerd's own start, which is
 *     the same for every build; the growth is the Worker's (parsing and evaluating the bundle).
 *
 * Alone (row 5 only, printed as markdown): `tsx bench/build-bench.ts [N ...]` (default 50 300 1000).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { compileConnectors } from '../scripts/compiler/compile.ts'
import { writeOutput } from '../scripts/compiler/write-output.ts'
import { generateConnectors } from './generate-connectors.ts'
import { REPO_ROOT } from './lib/paths.ts'
import { writeLatchkeyConfig } from './lib/worker-configs.ts'
import { startWranglerDev, stopAllWranglerDev } from './lib/wrangler-dev.ts'

/** Synthetic connector counts. */
const BUILD_SIZES = [50, 300, 1000]
const COMPILE_RUNS = 2
const STARTUP_RUNS = 2
const STARTUP_CPU_RUNS = 3
const WRANGLER_BIN = path.join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js')

/** One build's measurements. */
export interface BuildResult {
  /** `repository` (connectors/) or the synthetic count. */
  label: string
  connectors: number
  compileMs: number
  bundleRawKiB: number
  bundleGzipKiB: number
  /** Non-idle CPU in `wrangler check startup`'s profile (median of STARTUP_CPU_RUNS), ms. */
  startupCpuMs: number
  /** Profile start to its last non-idle sample, compiling included (median of STARTUP_CPU_RUNS), ms. */
  startupProfileMs: number
  /** Every run's profile times, ms, in run order. */
  startupRuns: ProfileTimes[]
  /** wrangler dev from spawn to the first 200 (best of STARTUP_RUNS), ms. */
  startupMs: number
}

/** Ports the startup measurement may use. */
export interface BuildBenchPorts {
  port: number
  inspectorPort: number
}

/** Runs row 5 in `scratch` (a folder it may fill). */
export async function runBuildBench(scratch: string, ports: BuildBenchPorts, progress: (line: string) => void, sizes: readonly number[] = BUILD_SIZES): Promise<BuildResult[]> {
  const builds: Array<{ label: string; sourceDir: string }> = [{ label: 'repository', sourceDir: path.join(REPO_ROOT, 'connectors') }]
  for (const size of sizes) {
    const sourceDir = path.join(scratch, `connectors-${size}`)
    generateConnectors(size, sourceDir)
    builds.push({ label: String(size), sourceDir })
  }
  const results: BuildResult[] = []
  for (const build of builds) {
    progress(`build: ${build.label === 'repository' ? 'repository connectors' : `${build.label} synthetic connectors`}`)
    results.push(await measureBuild(scratch, build.label, build.sourceDir, ports))
  }
  return results
}

/** `wrangler check startup` STARTUP_CPU_RUNS times on `bundleFile`. */
async function profileStartup(scratch: string, label: string, bundleFile: string, config: string): Promise<ProfileTimes[]> {
  const runs: ProfileTimes[] = []
  for (let run = 0; run < STARTUP_CPU_RUNS; run++) {
    const profileFile = path.join(scratch, `startup-${label}-${run}.cpuprofile`)
    await wrangler(scratch, ['check', 'startup', '--worker', bundleFile, '--outfile', profileFile, '-c', config])
    runs.push(profileTimes(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile))
  }
  return runs
}

async function measureBuild(scratch: string, label: string, sourceDir: string, ports: BuildBenchPorts): Promise<BuildResult> {
  const generatedDir = path.join(scratch, `generated-${label}`)
  const times: number[] = []
  let compiled: Awaited<ReturnType<typeof compileConnectors>> | null = null
  for (let run = 0; run < COMPILE_RUNS; run++) {
    const started = performance.now()
    compiled = await compileConnectors({ rootDir: REPO_ROOT, sourceDirs: [sourceDir], outDir: generatedDir })
    times.push(performance.now() - started)
  }
  if (compiled === null || compiled.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    throw new Error(`connectors of build ${label} do not compile: ${compiled?.diagnostics[0]?.message}`)
  }
  writeOutput(generatedDir, compiled.files)

  const configDir = path.join(scratch, `config-${label}`)
  const config = writeLatchkeyConfig(configDir, { generatedDir, publicBaseUrl: `http://127.0.0.1:${ports.port}`, upstreamOrigin: 'http://127.0.0.1:9' })
  const outDir = path.join(scratch, `dist-${label}`)
  // --outfile: the upload form as wrangler would send it, which `wrangler check startup` reads.
  const bundleFile = path.join(scratch, `worker-${label}.bundle`)
  const stdout = await wrangler(scratch, ['deploy', '--dry-run', '--outdir', outDir, '--outfile', bundleFile, '-c', config])
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout)
  if (!size) throw new Error(`wrangler deploy --dry-run printed no upload size:\n${stdout}`)

  const startupRuns = await profileStartup(scratch, label, bundleFile, config)

  const prebuiltConfig = writeLatchkeyConfig(path.join(scratch, `config-${label}-prebuilt`), {
    generatedDir,
    publicBaseUrl: `http://127.0.0.1:${ports.port}`,
    upstreamOrigin: 'http://127.0.0.1:9',
    prebuiltMain: path.join(outDir, 'index.js'),
  })
  const startups: number[] = []
  for (let run = 0; run < STARTUP_RUNS; run++) {
    const dev = await startWranglerDev({
      configs: [prebuiltConfig],
      port: ports.port,
      inspectorPort: ports.inspectorPort,
      persistTo: path.join(scratch, `state-${label}-${run}`),
      logFile: path.join(scratch, `wrangler-build-${label}.log`),
      readyPath: '/health',
      timeoutMs: 60_000,
    })
    startups.push(dev.startupMs)
    await dev.stop()
  }
  return {
    label,
    connectors: compiled.connectors.length,
    compileMs: Math.min(...times),
    bundleRawKiB: Number(size[1]),
    bundleGzipKiB: Number(size[2]),
    startupCpuMs: median(usable(startupRuns).map((times) => times.cpuMs)),
    startupProfileMs: median(usable(startupRuns).map((times) => times.untilLastBusyMs)),
    startupRuns,
    startupMs: Math.min(...startups),
  }
}

async function wrangler(scratch: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', WRANGLER_LOG_PATH: scratch },
    maxBuffer: 16 * 1024 * 1024,
  })
  return stdout
}

/** The parts of a V8 `.cpuprofile` (Profiler.stop's result) this reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>
  samples: number[]
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[]
}

/** What a startup profile says, ms. */
export interface ProfileTimes {
  /** The interval before every sample whose stack is not `(idle)`. */
  cpuMs: number
  /** From the profile's start to its last non-idle sample. */
  untilLastBusyMs: number
}

/** The times in a startup profile: it covers one request on one thread, so what is not idle is startup. */
export function profileTimes(profile: CpuProfile): ProfileTimes {
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id))
  let elapsed = 0
  let busy = 0
  let lastBusy = 0
  profile.samples.forEach((node, index) => {
    elapsed += profile.timeDeltas[index] ?? 0
    if (idle.has(node)) return
    busy += profile.timeDeltas[index] ?? 0
    lastBusy = elapsed
  })
  return { cpuMs: busy / 1000, untilLastBusyMs: lastBusy / 1000 }
}

// Now and then a profile comes back without a single non-idle sample (the import was not
// sampled at all): such a run measured nothing and is left out.
function usable(runs: readonly ProfileTimes[]): ProfileTimes[] {
  const sampled = runs.filter((times) => times.cpuMs > 0)
  return sampled.length > 0 ? sampled : [...runs]
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

// Row 5 alone: `tsx bench/build-bench.ts [N ...]`, on ports BENCH_PORT_BASE+2 and +3 (default 8797).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number)
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0)) {
    console.error('usage: tsx bench/build-bench.ts [N ...]   (synthetic connector counts; default 50 300 1000, 50 is the baseline)')
    process.exit(2)
  }
  const portBase = Number(process.env['BENCH_PORT_BASE'] ?? 8797)
  const scratch = mkdtempSync(path.join(tmpdir(), 'latchkey-build-bench-'))
  const { buildReport } = await import('./lib/report.ts')
  try {
    const builds = await runBuildBench(
      scratch,
      { port: portBase + 2, inspectorPort: portBase + 3 },
      (line) => console.error(`[build-bench] ${line}`),
      sizes.length > 0 ? sizes : BUILD_SIZES,
    )
    console.log(
      `load average (1/5/15 min) at end: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' / ')}\n`,
    )
    console.log(buildReport(builds))
    for (const build of builds) {
      const runs = build.startupRuns.map((times) => `${times.cpuMs.toFixed(1)}/${times.untilLastBusyMs.toFixed(1)}`).join(', ')
      console.log(`- ${build.label}: wrangler check startup runs (CPU/startup) ${runs} ms`)
    }
  } finally {
    await stopAllWranglerDev()
    if (process.env['BENCH_KEEP_SCRATCH'] === '1') console.error(`[build-bench] scratch folder kept: ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
}
