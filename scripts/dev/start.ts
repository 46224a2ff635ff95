/**
 * `npm start`: Latchkey on this machine with nothing to configure. Starts the demo
 * authorization server on 127.0.0.1:9090 and `wrangler dev` on localhost:8787 with the
 * committed development defaults, having compiled the connectors once (plus the dev-only `demo`
 * connector; local-demo.ts), then prints the one URL to open: the connect page for the demo
 * tenant. Variables in `.dev.vars` (a real connector's parameters) are passed on. An edit under
 * src/ or a connector folder compiles the connectors once more (source-watch.ts), and wrangler
 * reloads the Worker once.
 * Ctrl-C (SIGINT) or SIGTERM stops wrangler's whole process group and the authorization server.
 *
 * Quiet by default: wrangler's lines that ask for no action are left out
 * (wrangler-output-filter.ts); errors, warnings and the Worker's own `latchkey:` lines stay.
 * `LATCHKEY_VERBOSE=1 npm start` prints every line.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseEnv } from 'node:util'
import { DEMO_CONNECTOR_DIR } from './development-defaults.ts'
import { startLocalDemo, withoutSecretNames, type LocalDemo } from './local-demo.ts'
import { type SourceWatch, watchSources } from './source-watch.ts'
import { isVerboseOutput } from './verbose-output.ts'
import { wranglerOutputFilter } from './wrangler-output-filter.ts'

const WORKER_PORT = 8787
const AUTHORIZATION_SERVER_PORT = 9090
const INSPECTOR_PORT = 9229
const PAGE_TOKEN_LIFETIME_S = 3600
const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
const CONNECTOR_DIRS = ['connectors', DEMO_CONNECTOR_DIR]
/** Watched for edits besides the connector folders; the build's own output is not an edit. */
const WORKER_SOURCE_DIR = 'src'
const GENERATED_REGISTRY_DIR = 'src/registry/generated'

async function main(): Promise<number> {
  const started = performance.now()
  const aborted = new AbortController()
  const wranglerOutput = wranglerOutputFilter({ verbose: isVerboseOutput() })
  console.log('Starting Latchkey locally with development defaults (DEV-ONLY-DO-NOT-DEPLOY: never deploy them)...')
  const starting = startLocalDemo({
    rootDir: ROOT_DIR,
    workerPort: WORKER_PORT,
    authorizationServerPort: AUTHORIZATION_SERVER_PORT,
    inspectorPort: INSPECTOR_PORT,
    connectorDirs: CONNECTOR_DIRS,
    extraVars: developerVariables(),
    onWranglerOutput: (line) => {
      if (wranglerOutput.shows(line)) console.log(line)
    },
    onBuildOutput: (line) => console.log(line),
    signal: aborted.signal,
  })

  // Stopping waits for a start in progress to give up (it cleans up after itself) or finish.
  let stopping: Promise<void> | null = null
  let sourceWatch: SourceWatch | undefined
  const stop = (exitCode: number, why: string): void => {
    if (stopping !== null) return
    console.log(`\n${why} Stopping wrangler dev and the demo authorization server...`)
    aborted.abort()
    sourceWatch?.close()
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

Edits under ${[WORKER_SOURCE_DIR, ...CONNECTOR_DIRS].map((dir) => `${dir}/`).join(', ')} rebuild and reload the Worker. Press Ctrl-C to stop.
`)
  sourceWatch = watchSources({
    rootDir: ROOT_DIR,
    dirs: [WORKER_SOURCE_DIR, ...CONNECTOR_DIRS],
    ignoredPrefixes: [GENERATED_REGISTRY_DIR],
    onChange: (files) => {
      console.log(`Rebuilding: ${describeChanges(files)} changed.`)
      void demo.rebuildConnectors()
    },
    onError: (dir, error) => console.error(`Watching ${dir}/ stopped (${error.message}): edits there no longer rebuild; restart npm start.`),
  })
  // The servers keep the process alive until a signal stops them.
  return 0
}

/** `connectors/github/spec.yml`, or the first three and how many more. */
function describeChanges(files: string[]): string {
  const shown = files.slice(0, 3).join(', ')
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown
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

process.exitCode = await main()
