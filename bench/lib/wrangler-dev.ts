/**
 * `wrangler dev` as a child process in its own process group (wrangler starts workerd
 * under it), on fixed loopback ports, stopped by group: on success, on error and on Ctrl-C
 * (`stopAllWranglerDev`, wired up in bench/run.ts). A small shell leads the group and
 * watches both sides: if the bench process dies without cleaning up (SIGKILL, a parent
 * that does not pass signals on), or wrangler exits, it ends the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { REPO_ROOT } from './paths.ts'

/** How to start one wrangler dev process. */
export interface WranglerDevOptions {
  /** Config files; the first is the primary Worker (the one on `port`). */
  configs: readonly string[]
  port: number
  inspectorPort: number
  /** Local state folder (KV, Durable Objects): a fresh one per run. */
  persistTo: string
  /** wrangler's output goes here (shown when something fails). */
  logFile: string
  /** Polled until it answers 200. */
  readyPath: string
  timeoutMs: number
}

/** A running wrangler dev. */
export interface WranglerDev {
  origin: string
  /** From spawn to the first 200 on `readyPath`. */
  startupMs: number
  stop(): Promise<void>
}

const WRANGLER_BIN = path.join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js')
/**
 * `sh -c` script: $1 is the bench's pid, the rest is the wrangler command line. The shell
 * ignores SIGTERM (set after starting wrangler, which must not inherit that), so stopping the
 * group cannot take the watchdog down first. Once wrangler is gone it ends the group; if the
 * bench is gone too, nobody else will, so it follows up with SIGKILL. (Spawned detached, the
 * shell leads its own group, so `-$$` is the group; dash's kill takes no `--`.)
 */
const GROUP_LEADER = [
  'parent=$1; shift',
  '"$@" &',
  'child=$!',
  "trap '' TERM",
  'while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done',
  'kill -TERM -$$',
  'kill -0 "$parent" 2>/dev/null && exit 0',
  'sleep 3',
  'kill -KILL -$$',
].join('\n')
/** Process groups started and not yet stopped. */
const running = new Set<number>()

/** Starts wrangler dev and waits until `readyPath` answers 200. */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  await assertPortFree(options.port)
  await assertPortFree(options.inspectorPort)
  const wranglerArgs = [
    process.execPath,
    WRANGLER_BIN,
    'dev',
    ...options.configs.flatMap((config) => ['-c', config]),
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--inspector-port',
    String(options.inspectorPort),
    '--persist-to',
    options.persistTo,
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ]
  const log = openSync(options.logFile, 'a')
  const started = performance.now()
  const child = spawn('/bin/sh', ['-c', GROUP_LEADER, 'wrangler-dev-group', String(process.pid), ...wranglerArgs], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: path.dirname(options.logFile), NO_COLOR: '1' },
  })
  closeSync(log)
  if (child.pid === undefined) throw new Error('could not start wrangler dev')
  const group = child.pid
  running.add(group)

  const origin = `http://127.0.0.1:${options.port}`
  const stop = (): Promise<void> => stopProcessGroup(group)
  try {
    await waitUntilReady(`${origin}${options.readyPath}`, child, options.timeoutMs)
  } catch (error) {
    await stop()
    const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-30).join('\n')
    throw new Error(`${(error as Error).message}\n--- wrangler output (${options.logFile}) ---\n${tail}`)
  }
  return { origin, startupMs: performance.now() - started, stop }
}

/** Stops every wrangler dev this process started (signal handlers, errors). */
export async function stopAllWranglerDev(): Promise<void> {
  await Promise.all([...running].map((group) => stopProcessGroup(group)))
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await response.body?.cancel()
      if (response.status === 200) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`wrangler dev did not answer 200 on ${url} within ${timeoutMs} ms`)
}

/** SIGTERM to the whole group, SIGKILL to whatever of it is left after 5 s. */
async function stopProcessGroup(group: number): Promise<void> {
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-group, name)
      return true
    } catch {
      return false // the group is gone
    }
  }
  signal('SIGTERM')
  const deadline = performance.now() + 5000
  while (signal(0) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  signal('SIGKILL')
  running.delete(group)
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', () => reject(new Error(`port ${port} on 127.0.0.1 is in use: stop what uses it, or set BENCH_PORT_BASE to another free range`)))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}
