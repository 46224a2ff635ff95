/**
 * Row 5 of `npm run bench`: how build time, bundle size and Worker startup grow with the
 * number of connectors. Synthetic connectors come from the compiler bench's generator
 * (bench/generate-connectors.ts); the repository's own connectors/ are the reference build.
 *
 * Per build: compile time (in process, best of 2), the bundle from
 * `wrangler deploy --dry-run --outdir` (raw and gzip as wrangler prints them), and startup:
 * `wrangler dev` running that prebuilt bundle as it is (no bundling), from spawn until
 * /health first answers 200. That includes wrangler's and workerd's own start, which is the
 * same for every build; the growth is the Worker's (parsing and evaluating the bundle).
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { compileConnectors } from '../scripts/compiler/compile.ts'
import { writeOutput } from '../scripts/compiler/write-output.ts'
import { generateConnectors } from './generate-connectors.ts'
import { REPO_ROOT } from './lib/paths.ts'
import { writeLatchkeyConfig } from './lib/worker-configs.ts'
import { startWranglerDev } from './lib/wrangler-dev.ts'

/** Synthetic connector counts. */
const BUILD_SIZES = [50, 300, 1000]
const COMPILE_RUNS = 2
const STARTUP_RUNS = 2

/** One build's measurements. */
export interface BuildResult {
  /** `repository` (connectors/) or the synthetic count. */
  label: string
  connectors: number
  compileMs: number
  bundleRawKiB: number
  bundleGzipKiB: number
  startupMs: number
}

/** Ports the startup measurement may use. */
export interface BuildBenchPorts {
  port: number
  inspectorPort: number
}

/** Runs row 5 in `scratch` (a folder it may fill). */
export async function runBuildBench(scratch: string, ports: BuildBenchPorts, progress: (line: string) => void): Promise<BuildResult[]> {
  const builds: Array<{ label: string; sourceDir: string }> = [{ label: 'repository', sourceDir: path.join(REPO_ROOT, 'connectors') }]
  for (const size of BUILD_SIZES) {
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
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outDir, '-c', config],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', WRANGLER_LOG_PATH: scratch },
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout)
  if (!size) throw new Error(`wrangler deploy --dry-run printed no upload size:\n${stdout}`)

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
    startupMs: Math.min(...startups),
  }
}
