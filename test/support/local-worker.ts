/**
 * The real Worker over real HTTP for Node-tier tests (the browser test, the HTTP API's Node
 * example): the same servers `npm start` runs (scripts/dev/local-demo.ts) on free ports, so a
 * running dev server is not disturbed, plus the workerd tier's test upstream
 * (test/setup/upstream-servers.ts, a vitest globalSetup there), started by hand here.
 */
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { startLocalDemo, type LocalDemo } from '../../scripts/dev/local-demo.ts'
import { TEST_CONNECTOR_DIRS } from '../setup/compile-connectors.ts'
import startUpstream from '../setup/upstream-servers.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** A running Worker, demo authorization server and test upstream. */
export interface LocalWorker {
  demo: LocalDemo
  /** Origin of the test upstream. */
  upstreamOrigin: string
  /** A key the test upstream's API accepts for `scenario`: an access token it issued (its control API). */
  grantedKey(scenario: string): Promise<string>
  /** Stops the Worker, the authorization server and the upstream. */
  stop(): Promise<void>
}

/** What the Worker is started with. */
export interface LocalWorkerOptions {
  /** Worker variables beyond the development defaults, given the upstream's origin. */
  extraVars: (upstreamOrigin: string) => Record<string, string>
  /** Every line wrangler prints (the Worker's logs included). */
  onWranglerOutput: (line: string) => void
}

/** Starts the upstream, then the local demo with the test connectors. */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const [workerPort, authorizationServerPort, inspectorPort] = await freePorts(3)
  let upstreamOrigin: string | undefined
  const stopUpstream = await startUpstream({
    provide: (_name: string, value: string) => {
      upstreamOrigin = value
    },
  } as unknown as TestProject)
  if (upstreamOrigin === undefined) throw new Error('the test upstream did not start')
  const origin = upstreamOrigin
  try {
    const demo = await startLocalDemo({
      rootDir: ROOT_DIR,
      workerPort,
      authorizationServerPort,
      inspectorPort,
      // Exactly what the workerd tests compile into the same src/registry/generated, so a
      // concurrent `npm test` never loses its fixture connectors to this server's build.
      connectorDirs: [...TEST_CONNECTOR_DIRS],
      extraVars: options.extraVars(origin),
      onWranglerOutput: options.onWranglerOutput,
    })
    return {
      demo,
      upstreamOrigin: origin,
      grantedKey: async (scenario) => {
        const response = await fetch(`${origin}/s/${scenario}/_control/grant`, { method: 'POST', body: '{}' })
        if (!response.ok) throw new Error(`the test upstream answered ${response.status} to a grant`)
        return ((await response.json()) as { access_token: string }).access_token
      },
      stop: async () => {
        await demo.stop()
        await stopUpstream()
      },
    }
  } catch (error) {
    await stopUpstream()
    throw error
  }
}

/** Ports nothing listens on right now (held together, so they differ). */
async function freePorts(count: 3): Promise<[number, number, number]> {
  const servers = Array.from({ length: count }, () => createServer())
  const ports = await Promise.all(
    servers.map((server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))),
  )
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports as [number, number, number]
}
