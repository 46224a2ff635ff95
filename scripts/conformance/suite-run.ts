/**
 * One scenario of the suite at one revision: `conformance client --scenario <s> --spec-version
 * <revision>` in its own process (under the Node 20 hook, node20-fs.mjs), with the adapter as the
 * client command. A scenario per process, rather than the suite's own parallel `--requirements`
 * mode, because that mode judges checks only: a client that crashed after the checks it reached
 * passed would count as passing, and this runs only the auth scenarios, a few at a time.
 */
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'

/** Longest one scenario's process may take before it is stopped (the suite's own client timeout is 30 s). */
const SCENARIO_PROCESS_TIMEOUT_MS = 90_000
/** The client timeout passed to the suite. */
export const CLIENT_TIMEOUT_MS = 30_000

/** How to run one scenario. */
export interface SuiteRunOptions {
  rootDir: string
  /** The Node 20 hook module (node20-fs.mjs). */
  hookModule: string
  /** The suite's entry file. */
  suiteEntry: string
  /** The client command (no spaces in its parts: the suite splits it on spaces). */
  clientCommand: string
  scenario: string
  revision: string
  /** The revision's baseline in the suite's format. */
  expectedFailuresFile: string
  /** This run's folder: the suite's output goes to conformance.log, its result files below it. */
  outputDir: string
  /** Added to the environment (the adapter reads it). */
  environment: Record<string, string>
}

/** What the run left. */
export interface SuiteRunResult {
  /** Everything the suite printed. */
  output: string
  /** The suite's result folder (checks.json, stdout.txt, stderr.txt), or null when it wrote none. */
  resultDir: string | null
  durationMs: number
}

/** Runs the scenario; never throws for a failing scenario, only for a process that cannot start. */
export async function runSuiteScenario(options: SuiteRunOptions): Promise<SuiteRunResult> {
  const started = performance.now()
  mkdirSync(options.outputDir, { recursive: true })
  const resultsDir = path.join(options.outputDir, 'results')
  const args = [
    '--import',
    options.hookModule,
    options.suiteEntry,
    'client',
    '--command',
    options.clientCommand,
    '--scenario',
    options.scenario,
    '--spec-version',
    options.revision,
    // As the suite's --requirements mode does: the revision's requirement list decides what runs.
    '--force',
    '--timeout',
    String(CLIENT_TIMEOUT_MS),
    '--expected-failures',
    options.expectedFailuresFile,
    '--output-dir',
    resultsDir,
  ]
  const child = spawn(process.execPath, args, { cwd: options.rootDir, env: { ...process.env, ...options.environment }, stdio: ['ignore', 'pipe', 'pipe'] })
  const log = createWriteStream(path.join(options.outputDir, 'conformance.log'))
  const chunks: Buffer[] = []
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      log.write(chunk)
    })
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_PROCESS_TIMEOUT_MS)
  const exit = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(signal === null ? `exit ${code}` : `signal ${signal}`))
  }).finally(() => clearTimeout(timer))
  await new Promise((resolve) => log.end(resolve))
  const output = `${Buffer.concat(chunks).toString('utf8')}\n[conformance process: ${exit}]\n`
  return { output, resultDir: resultFolder(resultsDir), durationMs: performance.now() - started }
}

/** The one folder holding checks.json below `resultsDir` (the suite names it `<scenario>-<time>`). */
function resultFolder(resultsDir: string): string | null {
  let entries: string[]
  try {
    entries = readdirSync(resultsDir, { recursive: true }).map(String)
  } catch {
    return null
  }
  const checks = entries.find((entry) => path.basename(entry) === 'checks.json')
  return checks === undefined ? null : path.join(resultsDir, path.dirname(checks))
}
