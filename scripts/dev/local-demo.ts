/**
 * The local demo that `npm start` runs and the browser test (test/browser/) reuses: starts the
 * demo authorization server (oidc-provider) with a client for the Worker's `demo` connector,
 * starts `wrangler dev` configured to use it (with fresh, temporary state), waits until the
 * Worker answers, and mints connect-page URLs. `stop()` undoes all of it. The connectors are
 * compiled here, in-process, before wrangler starts: a spec error fails the start with each
 * `file:line:col`. wrangler runs with wrangler.toml minus its `[build]` step
 * (dev-wrangler-config.ts), so nothing compiles them a second time; `rebuildConnectors()`
 * compiles again after an edit, and wrangler reloads the Worker once when the output changed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { compileConnectors } from '../compiler/compile.ts'
import { formatDiagnostic, hasErrors } from '../compiler/diagnostics.ts'
import { writeOutput } from '../compiler/write-output.ts'
import { startAuthorizationServer, type AuthorizationServer } from '../authorization-server/index.ts'
import { connectTokenKey } from '../../src/flow/connect-token.ts'
import { PAGE_PATH } from '../../src/ui/page-path.ts'
import { signPageToken, type PageMode } from '../../src/ui/page-token.ts'
import { writeDevWranglerConfig } from './dev-wrangler-config.ts'
import { DEMO_CLIENT, DEVELOPMENT_SECRETS } from './development-defaults.ts'
import { withoutDevelopmentOnlyWarnings } from './oidc-provider-warnings.ts'
import { startWranglerDev, type WranglerDev } from './wrangler-dev.ts'

/** The tenant whose connections the printed page shows. */
export const DEMO_TENANT = 'demo-tenant'
/** Longest a start may take before it is given up (wrangler's first bundle dominates). */
const READY_TIMEOUT_MS = 60_000
/** Where the compiled connectors go, relative to the repository (the Worker imports them). */
const GENERATED_REGISTRY_DIR = 'src/registry/generated'

/** Where things listen and what is compiled. */
export interface LocalDemoOptions {
  rootDir: string
  workerPort: number
  authorizationServerPort: number
  inspectorPort: number
  /** Connector folders compiled into src/registry/generated, relative to `rootDir`. */
  connectorDirs: string[]
  /**
   * More Worker variables, e.g. a real connector's `GITHUB__CLIENT_ID` (npm start: the
   * developer's `.dev.vars`). The demo's own settings and secrets take precedence.
   */
  extraVars?: Record<string, string>
  /** Every line wrangler prints. */
  onWranglerOutput: (line: string) => void
  /**
   * Each connector build's lines once the start has compiled them: its warnings, or its errors,
   * and the summary (`connectors: 13 compiled, 0 warnings, 812 ms -> src/registry/generated`).
   * Default: `onWranglerOutput`.
   */
  onBuildOutput?: (line: string) => void
  /** Aborting gives up a start in progress (Ctrl-C while wrangler boots). */
  signal?: AbortSignal
}

/** A running local demo. */
export interface LocalDemo {
  /** `http://localhost:<workerPort>`: PUBLIC_BASE_URL of the Worker. */
  workerOrigin: string
  /** The demo authorization server (its `events` show what it issued). */
  authorizationServer: AuthorizationServer
  /** A connect-page URL with a fresh page token (default: the demo tenant, redirect mode, 1 hour). */
  pageUrl(options?: { tenant?: string; mode?: PageMode; lifetimeSeconds?: number }): Promise<string>
  /** Resolves when wrangler exits on its own (or is stopped). */
  wranglerExited: Promise<number | null>
  /**
   * Compiles the connectors again (after an edit) and reports through `onBuildOutput`; a changed
   * output reloads the Worker once, a failed build leaves the running one serving. Calls made
   * while a build runs share a single build after it.
   */
  rebuildConnectors(): Promise<void>
  /** Stops wrangler's process group and the authorization server, and forgets all state. */
  stop(): Promise<void>
}

/** Starts the demo; resolves once the Worker answers `/health`. Cleans up after itself if any step fails. */
export async function startLocalDemo(options: LocalDemoOptions): Promise<LocalDemo> {
  // localhost and 127.0.0.1 are different sites: the two servers' cookies stay apart, as
  // they would with a real provider.
  const workerOrigin = `http://localhost:${options.workerPort}`
  const onBuildOutput = options.onBuildOutput ?? options.onWranglerOutput
  await assertPortFree(options.workerPort, 'wrangler dev')
  await assertPortFree(options.inspectorPort, "wrangler dev's inspector")
  const firstBuild = await buildConnectors(options.rootDir, options.connectorDirs)
  if (!firstBuild.ok) throw new Error(`the connectors did not compile:\n${firstBuild.lines.join('\n')}`)
  for (const line of firstBuild.lines) onBuildOutput(line)
  const configPath = writeDevWranglerConfig(options.rootDir)
  const authorizationServer = await withoutDevelopmentOnlyWarnings(() =>
    startAuthorizationServer({
      port: options.authorizationServerPort,
      host: '127.0.0.1',
      clients: [{ ...DEMO_CLIENT, tokenEndpointAuthMethod: 'client_secret_basic', redirectUris: [`${workerOrigin}/oauth/callback`] }],
    }),
  ).catch((error: unknown) => {
    throw portError(error, options.authorizationServerPort, 'the demo authorization server')
  })

  // The demo server keeps its grants in memory, so the Worker's connections must not outlive
  // it either: each run starts with empty Durable Object and KV state.
  const stateDir = mkdtempSync(path.join(tmpdir(), 'latchkey-demo-state-'))
  let wrangler: WranglerDev | undefined
  const stop = async (): Promise<void> => {
    await Promise.all([wrangler?.stop(), authorizationServer.close()])
    rmSync(stateDir, { recursive: true, force: true })
  }
  try {
    wrangler = startWranglerDev({
      rootDir: options.rootDir,
      configPath,
      port: options.workerPort,
      inspectorPort: options.inspectorPort,
      persistTo: stateDir,
      onOutput: options.onWranglerOutput,
      secrets: DEVELOPMENT_SECRETS,
      vars: {
        ...withoutSecretNames(options.extraVars ?? {}),
        PUBLIC_BASE_URL: workerOrigin,
        ALLOWED_RETURN_ORIGINS: workerOrigin,
        ALLOW_INSECURE_LOOPBACK: 'true',
        DEMO__ISSUER: authorizationServer.issuer,
        DEMO__CLIENT_ID: DEMO_CLIENT.clientId,
        DEMO__CLIENT_SECRET: DEMO_CLIENT.clientSecret,
      },
    })
    await waitUntilServing(`http://127.0.0.1:${options.workerPort}/health`, wrangler.exited, options.signal)
  } catch (error) {
    await stop()
    throw error
  }

  // One build at a time; edits made during a build share the one build queued after it.
  let lastBuild: Promise<void> = Promise.resolve()
  let queuedBuild: Promise<void> | undefined
  const rebuildOnce = async (): Promise<void> => {
    queuedBuild = undefined
    try {
      for (const line of (await buildConnectors(options.rootDir, options.connectorDirs)).lines) onBuildOutput(line)
    } catch (error) {
      onBuildOutput(`connectors: the build failed (${error instanceof Error ? error.message : String(error)})`)
    }
  }
  const rebuildConnectors = (): Promise<void> => {
    if (queuedBuild !== undefined) return queuedBuild
    queuedBuild = lastBuild.then(rebuildOnce)
    lastBuild = queuedBuild
    return queuedBuild
  }

  const key = connectTokenKey(DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET)
  return {
    workerOrigin,
    authorizationServer,
    pageUrl: async ({ tenant = DEMO_TENANT, mode = 'redirect', lifetimeSeconds = 3600 } = {}) => {
      const token = await signPageToken(key, { tenant, mode, expiresAt: Date.now() + lifetimeSeconds * 1000 })
      return `${workerOrigin}${PAGE_PATH}?token=${token}`
    },
    wranglerExited: wrangler.exited,
    rebuildConnectors,
    stop,
  }
}

/**
 * Compiles `connectorDirs` into src/registry/generated (left alone when the output is the same)
 * and returns what `npm run build` prints under wrangler dev: each diagnostic as
 * `file:line:col message`, then one summary line. On an error nothing is written.
 */
async function buildConnectors(rootDir: string, connectorDirs: readonly string[]): Promise<{ ok: boolean; lines: string[] }> {
  const started = performance.now()
  const result = await compileConnectors({ sourceDirs: connectorDirs, outDir: GENERATED_REGISTRY_DIR, rootDir })
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length
  const warnings = result.diagnostics.length - errors
  const lines = result.diagnostics.map(formatDiagnostic)
  if (hasErrors(result.diagnostics)) {
    lines.push(`connectors: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}; nothing written to ${GENERATED_REGISTRY_DIR}`)
    return { ok: false, lines }
  }
  const changed = writeOutput(path.join(rootDir, GENERATED_REGISTRY_DIR), result.files)
  const elapsed = Math.round(performance.now() - started)
  lines.push(`connectors: ${result.connectors.length} compiled, ${plural(warnings, 'warning')}, ${elapsed} ms -> ${GENERATED_REGISTRY_DIR}${changed ? '' : ' (unchanged)'}`)
  return { ok: true, lines }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** `vars` minus the development secrets' names: a `--var` would win over the secrets file. */
export function withoutSecretNames(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter(([name]) => !Object.hasOwn(DEVELOPMENT_SECRETS, name)))
}

/** Polls `url` until it answers 200; fails when wrangler exits, the signal aborts, or time runs out. */
async function waitUntilServing(url: string, exited: Promise<number | null>, signal: AbortSignal | undefined): Promise<void> {
  let exitCode: number | null | undefined
  void exited.then((code) => {
    exitCode = code
  })
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (exitCode !== undefined) throw new Error(`wrangler dev exited (code ${exitCode}) before serving; see its output above.`)
    signal?.throwIfAborted()
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s.`)
    // A probe may take as long as the whole start may: the Worker's first answer can take
    // seconds on a busy machine, and a probe given up early makes workerd log a "Broken pipe"
    // error when it answers into the closed connection.
    const attempt = AbortSignal.timeout(Math.max(1, deadline - Date.now()))
    const response = await fetch(url, { signal: signal === undefined ? attempt : AbortSignal.any([signal, attempt]) }).catch(() => null)
    if (response?.status === 200) return
    await response?.body?.cancel()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Fails early, with a useful message, when another process (another `npm start`?) holds a port. */
async function assertPortFree(port: number, user: string): Promise<void> {
  const probe = createServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(portError(error, port, user)))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
  })
}

function portError(error: unknown, port: number, user: string): Error {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error as Error
  return new Error(`Port ${port} (for ${user}) is in use: is another \`npm start\` running? Stop it first.`)
}
