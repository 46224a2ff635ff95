/**
 * Runs `wrangler dev` as a child in its own process group, so stopping it stops everything it
 * started (workerd, esbuild) and a Ctrl-C in the terminal reaches only us, not it half-way. It
 * runs with `--config` (npm start's copy of wrangler.toml without `[build]`,
 * dev-wrangler-config.ts: the caller compiles the connectors). Secrets go in a private env file passed with `--env-file`, which also
 * keeps wrangler from reading a developer's own `.dev.vars`; other settings go as `--var`.
 * wrangler neither calls home nor prints what asks for no action (QUIET_WRANGLER).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

/** What to run. */
export interface WranglerDevOptions {
  /** The repository: node_modules is found here, and wrangler runs in it. */
  rootDir: string
  /** The configuration file (`--config`); relative paths in it are relative to its folder. */
  configPath: string
  port: number
  inspectorPort: number
  /** Plain variables (`--var NAME:value`), overriding wrangler.toml's [vars]. */
  vars: Record<string, string>
  /** Secrets (wrangler.toml's `[secrets] required`), written to the env file. */
  secrets: Record<string, string>
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

/**
 * Environment that keeps wrangler local and to the point: no usage metrics or error reports
 * sent, no banner (whose update check asks the npm registry), no "experimental" warning for
 * wrangler.toml's `[secrets]`, no download of the `Request.cf` placeholder from
 * workers.cloudflare.com (offline that is a warning with a stack trace at every reload; the
 * Worker does not read `request.cf`), and no "> latchkey@... build" lines from npm should a
 * configuration with a `[build]` step be used.
 */
const QUIET_WRANGLER: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_DISABLE_EXPERIMENTAL_WARNING: '1',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  npm_config_loglevel: 'silent',
}

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
    '--config',
    options.configPath,
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
  const environment: NodeJS.ProcessEnv = { ...process.env, ...QUIET_WRANGLER }
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
