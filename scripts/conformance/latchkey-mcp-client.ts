/**
 * `latchkey-mcp-client.ts <serverUrl>`: the client under test that the MCP conformance suite
 * spawns for each client scenario (run.ts bundles it, adapter-bundle.ts, and passes the bundle as
 * `--command`; by hand: `node --import tsx scripts/conformance/latchkey-mcp-client.ts <url>` with
 * the variables of adapter-environment.ts). It plays the application and the browser; Latchkey
 * does all the OAuth work:
 *
 *   1. `POST /v1/connect-urls` for the `mcp` connector with `connectionInput: {resourceUrl}`;
 *   2. follows the connect URL's redirects with a cookie jar, through the suite's authorization
 *      server, to the return URL, which carries the connection id or an error code;
 *   3. speaks MCP to the server through the proxy (`/v1/connections/{id}/proxy/`, the resource
 *      itself): the handshake of the revision under test, `tools/list`, `tools/call` of the first
 *      tool; a `step_up_required` reconnects and retries (latchkey-connection.ts has the limits).
 *
 * Exit 0 when the tool call succeeded; 1 when anything was refused or failed, with one line
 * `refused: <code>` on stdout when Latchkey gave a code (the run's summary shows it); 2 when
 * misconfigured. Progress goes to stderr, without URLs' queries, tokens or the API key.
 */
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readAdapterSettings, suiteOffersClient } from './adapter-environment.ts'
import { Browser } from './browser-navigation.ts'
import { LatchkeyApi, LatchkeyRefusal } from './latchkey-api.ts'
import { ConnectRefused, LatchkeyConnection } from './latchkey-connection.ts'
import { listAndCallFirstTool, McpClient } from './mcp-client.ts'

/** Runs the adapter; resolves with the exit status. */
export async function runAdapter(args: readonly string[], environment: NodeJS.ProcessEnv): Promise<number> {
  const log = (line: string): void => console.error(`latchkey-mcp-client: ${line}`)
  const serverUrl = args[0]
  if (args.length !== 1 || serverUrl === undefined || !isUrl(serverUrl)) {
    log('usage: latchkey-mcp-client.ts <MCP server URL>')
    return 2
  }
  let settings: ReturnType<typeof readAdapterSettings>
  try {
    settings = readAdapterSettings(environment)
  } catch (error) {
    log((error as Error).message)
    return 2
  }
  log(`scenario ${settings.scenario}, MCP ${settings.protocolVersion}, server ${new URL(serverUrl).origin}${new URL(serverUrl).pathname}`)
  if (suiteOffersClient(environment)) log('the scenario offers a pre-registered client; Latchkey takes those from MCP_CLIENTS only, so the connect request cannot carry it')

  // A tenant of its own per run: connections, discovery rate limits and account merging stay apart.
  const api = new LatchkeyApi({ origin: settings.latchkeyOrigin, apiKey: settings.apiKey, tenant: `conformance-${randomUUID()}` })
  const connection = new LatchkeyConnection(api, new Browser(log), { resourceUrl: serverUrl, returnUrl: settings.returnUrl }, log)
  try {
    await connection.connect()
    const client = new McpClient(connection.transport, settings.protocolVersion)
    await client.start()
    const { tools, called } = await listAndCallFirstTool(client)
    log(`${tools} tool(s) listed; ${called === null ? 'none to call' : `called ${called}`}; ${connection.authorizations} authorization(s)`)
    return 0
  } catch (error) {
    if (error instanceof ConnectRefused || error instanceof LatchkeyRefusal) {
      console.log(`refused: ${error.code}`)
      log(`refused after ${connection.authorizations} authorization(s): ${error.message}`)
      return 1
    }
    log(`failed after ${connection.authorizations} authorization(s): ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

function isUrl(value: string): boolean {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

// Run as a command, not when a test imports runAdapter.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runAdapter(process.argv.slice(2), process.env)
}
