/**
 * Runs `wrangler dev` as a child in its own process group, so stopping it stops everything it
 * started (workerd, esbuild, a [build] in progress) and a Ctrl-C in the terminal reaches only
 * us, not it half-way. Secrets go in a private env file passed with `--env-file`, which also
 * keeps wrangler from reading a developer's own `.dev.vars`; other settings go as `--var`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

/** What to run. */
export interface WranglerDevOptions {
  /** The repository: wrangler.toml and node_modules are found here. */
  rootDir: string
  port: number
  inspectorPort: number
  /** Plain variables (`--var NAME:value`), overriding wrangler.toml's [vars]. */
  vars: Record<string, string>
  /** Secrets (wrangler.toml's `[secrets] required`), written to the env file. */
  secrets: Record<string, string>
  /** Connector source folders wrangler's [build] step compiles (LATCHKEY_CONNECTOR_DIRS). */
  connectorDirs: string[]
  /** Where Durable Objects and KV keep local state. */
  persistTo: string
  /** Every line wrangler prints, stdout and stderr. */
  onOutput: (line: string) => void
}

/** A running `wrangler dev`. */
export interface WranglerDev {
  /** Resolves with the exit code (or null after a signal) when wrangler has exited. */
  exited: Promise<number | null>
  /** Stops wrangler's whole process group (SIGTERM, then SIGKILL after 5 s) and removes the env file. */
  stop(): Promise<void>
}

const STOP_GRACE_MS = 5000

/** Starts `wrangler dev --ip 127.0.0.1 --port <port>`; wait for readiness separately. */
export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
  const secretsDir = mkdtempSync(path.join(tmpdir(), 'latchkey-dev-'))
  const envFile = path.join(secretsDir, 'secrets.env')
  writeFileSync(
    envFile,
    Object.entries(options.secrets)
      .map(([name, value]) => `${name}='${value}'\n`)
      .join(''),
    { mode: 0o600 },
  )

  const args = [
    path.join(options.rootDir, 'node_modules/wrangler/bin/wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--inspector-port',
    String(options.inspectorPort),
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
    ...Object.entries(options.vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    '--persist-to',
    options.persistTo,
  ]
  // wrangler also reads secrets from its own environment, which would win over the env file.
  const environment: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_CONNECTOR_DIRS: options.connectorDirs.join(','), WRANGLER_SEND_METRICS: 'false' }
  for (const name of Object.keys(options.secrets)) delete environment[name]

  const child = spawn(process.execPath, args, { cwd: options.rootDir, env: environment, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', options.onOutput)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })

  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, 'SIGTERM')
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(timer)
      }
      // Children that outlived wrangler (it exits before workerd does) are in the same group.
      killGroup(child.pid, 'SIGKILL')
      rmSync(secretsDir, { recursive: true, force: true })
    })()
    return stopping
  }
  return { exited, stop }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}
