/**
 * Latchkey as the conformance run uses it: the real Worker under `wrangler dev` (the local demo
 * of `npm start`, scripts/dev/local-demo.ts, on free ports and with fresh state), which sets
 * PUBLIC_BASE_URL=http://localhost:<port>, ALLOW_INSECURE_LOOPBACK=true (the suite's servers are
 * http on localhost) and ALLOWED_RETURN_ORIGINS to its own origin. Added here: a new HTTP API
 * key in API_KEYS for the adapter, and MCP_CLIENT_METADATA_URL set to the client id the suite
 * expects from a client with a client ID metadata document (auth/basic-cimd), which Latchkey
 * honours only with ALLOW_INSECURE_LOOPBACK.
 */
import { createServer } from 'node:net'
import { apiKeysJson, newApiKey } from '../api-key.ts'
import { startLocalDemo } from '../dev/local-demo.ts'
import { TEST_CONNECTOR_DIRS } from '../../test/setup/compile-connectors.ts'

/** The client_id the suite's auth/basic-cimd scenario expects (the suite's everything-client uses it too). */
export const CONFORMANCE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json'
/** Where the adapter's connect flows end: on Latchkey's own origin (allowed), never loaded. */
const RETURN_PATH = '/conformance/connected'

/** A running Latchkey and what the adapter needs to call it. */
export interface LatchkeyUnderTest {
  origin: string
  /** The adapter's API key (`lk_...`): a secret, for the adapter's environment only. */
  apiKey: string
  returnUrl: string
  stop(): Promise<void>
}

/** Starts Latchkey; `onOutput` gets every line wrangler prints (the Worker's logs included). */
export async function startLatchkeyUnderTest(rootDir: string, onOutput: (line: string) => void): Promise<LatchkeyUnderTest> {
  const key = await newApiKey({ name: 'mcp-conformance-adapter', scopes: ['connections:read', 'connections:write', 'tokens:read', 'proxy'] })
  const [workerPort, authorizationServerPort, inspectorPort] = await freePorts()
  const demo = await startLocalDemo({
    rootDir,
    workerPort,
    authorizationServerPort,
    inspectorPort,
    // What the workerd tests compile into the same src/registry/generated (connectors/mcp among
    // them), so a test run beside this one keeps its fixture connectors.
    connectorDirs: [...TEST_CONNECTOR_DIRS],
    extraVars: {
      API_KEYS: apiKeysJson({ [key.id]: key.entry }),
      MCP_CLIENT_METADATA_URL: CONFORMANCE_CLIENT_METADATA_URL,
    },
    onWranglerOutput: onOutput,
  })
  return { origin: demo.workerOrigin, apiKey: key.key, returnUrl: `${demo.workerOrigin}${RETURN_PATH}`, stop: () => demo.stop() }
}

/** Three ports nothing listens on right now (held together, so they differ). */
async function freePorts(): Promise<[number, number, number]> {
  const servers = [createServer(), createServer(), createServer()]
  const ports = await Promise.all(
    servers.map((server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))),
  )
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports as [number, number, number]
}
