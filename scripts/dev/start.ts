/**
 * `npm start`: Latchkey on this machine with nothing to configure. Compiles the connectors
 * (plus the dev-only `demo` connector), starts the demo authorization server on
 * 127.0.0.1:9090 and `wrangler dev` on localhost:8787 with the committed development defaults,
 * then prints the one URL to open: the connect page for the demo tenant. Variables in
 * `.dev.vars` (a real connector's parameters) are passed on. Ctrl-C (SIGINT) or SIGTERM stops
 * wrangler's whole process group and the authorization server.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseEnv } from 'node:util'
import { DEMO_CONNECTOR_DIR } from './development-defaults.ts'
import { startLocalDemo, withoutSecretNames, type LocalDemo } from './local-demo.ts'

const WORKER_PORT = 8787
const AUTHORIZATION_SERVER_PORT = 9090
const INSPECTOR_PORT = 9229
const PAGE_TOKEN_LIFETIME_S = 3600
const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

async function main(): Promise<number> {
  const started = performance.now()
  const aborted = new AbortController()
  console.log('Starting Latchkey locally with development defaults (DEV-ONLY-DO-NOT-DEPLOY: never deploy them)...')
  const starting = startLocalDemo({
    rootDir: ROOT_DIR,
    workerPort: WORKER_PORT,
    authorizationServerPort: AUTHORIZATION_SERVER_PORT,
    inspectorPort: INSPECTOR_PORT,
    connectorDirs: ['connectors', DEMO_CONNECTOR_DIR],
    extraVars: developerVariables(),
    onWranglerOutput: printWranglerLine,
    signal: aborted.signal,
  })

  // Stopping waits for a start in progress to give up (it cleans up after itself) or finish.
  let stopping: Promise<void> | null = null
  const stop = (exitCode: number, why: string): void => {
    if (stopping !== null) return
    console.log(`\n${why} Stopping wrangler dev and the demo authorization server...`)
    aborted.abort()
    stopping = starting
      .then(
        (demo) => demo.stop(),
        () => undefined,
      )
      .then(() => process.exit(exitCode))
  }
  process.on('SIGINT', () => stop(0, 'Interrupted.'))
  process.on('SIGTERM', () => stop(0, 'Terminated.'))

  let demo: LocalDemo
  try {
    demo = await starting
  } catch (error) {
    if (stopping !== null) return 0
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  void demo.wranglerExited.then((code) => stop(1, `wrangler dev exited (code ${code}).`))

  const url = await demo.pageUrl({ lifetimeSeconds: PAGE_TOKEN_LIFETIME_S })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`
Latchkey is running (ready in ${seconds} s): the Worker on port ${WORKER_PORT}, a demo OAuth
server on port ${AUTHORIZATION_SERVER_PORT} that accepts any name and password.

Open this URL to connect the demo account (valid for ${PAGE_TOKEN_LIFETIME_S / 60} minutes; restart for a new one):

    ${url}

Press Ctrl-C to stop.
`)
  // The servers keep the process alive until a signal stops them.
  return 0
}

/**
 * The developer's own Worker variables from `.dev.vars` (say a real connector's client id and
 * secret), passed on as `--var`: wrangler itself reads only the `[secrets] required` names from
 * there. CONNECT_TOKEN_SECRET and CREDENTIALS_KEYS stay the development defaults.
 */
function developerVariables(): Record<string, string> {
  const file = path.join(ROOT_DIR, '.dev.vars')
  if (!existsSync(file)) return {}
  const parsed = Object.entries(parseEnv(readFileSync(file, 'utf8'))).filter((entry): entry is [string, string] => entry[1] !== undefined)
  const variables = withoutSecretNames(Object.fromEntries(parsed))
  console.log(`From .dev.vars: ${Object.keys(variables).join(', ') || 'nothing'} (CONNECT_TOKEN_SECRET and CREDENTIALS_KEYS stay the development defaults).`)
  return variables
}

/** wrangler's output, minus its own "Ready on" address: the page URL above is the one to open. */
function printWranglerLine(line: string): void {
  if (/Ready on https?:\/\//.test(line)) return
  console.log(line)
}

process.exitCode = await main()
