/**
 * The example program: for each connection of a tenant, its status, whether an access token is
 * available (the token itself is never printed), and the provider API's answer to one GET
 * through Latchkey's proxy. A connection that needs the user again gets a reconnect URL.
 *
 *   LATCHKEY_API_KEY=lk_... npx tsx examples/node-backend/src/main.ts
 *
 * Environment: LATCHKEY_API_KEY (required: scopes connections:read, tokens:read and proxy, and
 * connections:write for reconnect URLs), LATCHKEY_URL (default http://localhost:8787),
 * LATCHKEY_TENANT (default demo-tenant, the tenant of `npm start`'s page), LATCHKEY_PROXY_PATH
 * (default `me`: the demo server's userinfo). Exits 1 when Latchkey refuses, naming the code.
 */
import { callProviderApi, createConnectUrl, getAccessToken, listConnections } from './connections.ts'
import { createLatchkeyClient, type ConnectionSummary, type LatchkeyClient } from './latchkey-client.ts'
import { LatchkeyApiError } from './latchkey-error.ts'

/** What the program needs, from the environment, checked. */
interface Settings {
  baseUrl: string
  apiKey: string
  tenant: string
  proxyPath: string
}

/** How much of a provider's answer is printed. */
const SHOWN_BODY_LENGTH = 200
/** The API's rule for a tenant id in the `Latchkey-Tenant` header. */
const TENANT = /^[\x20-\x7e]{1,256}$/

function readSettings(environment: NodeJS.ProcessEnv): Settings {
  const apiKey = environment['LATCHKEY_API_KEY']
  if (apiKey === undefined || apiKey === '') throw new Error('Set LATCHKEY_API_KEY to a key from `npm run api-key -- create`.')
  const tenant = environment['LATCHKEY_TENANT'] ?? 'demo-tenant'
  if (!TENANT.test(tenant)) throw new Error('LATCHKEY_TENANT must be 1 to 256 printable ASCII characters.')
  const proxyPath = environment['LATCHKEY_PROXY_PATH'] ?? 'me'
  if (proxyPath === '' || proxyPath.length > 2000) throw new Error('LATCHKEY_PROXY_PATH must be a path of 1 to 2000 characters.')
  return { baseUrl: environment['LATCHKEY_URL'] ?? 'http://localhost:8787', apiKey, tenant, proxyPath }
}

/** The lines the program prints for one tenant. */
export async function describeTenant(client: LatchkeyClient, tenant: string, proxyPath: string): Promise<string[]> {
  const connections = await listConnections(client, tenant)
  const lines = [`Tenant ${tenant}: ${connections.length} connection${connections.length === 1 ? '' : 's'}`]
  for (const connection of connections) lines.push(...(await describeConnection(client, connection, proxyPath)))
  return lines
}

async function describeConnection(client: LatchkeyClient, connection: ConnectionSummary, proxyPath: string): Promise<string[]> {
  const { connectionId, connectorKey, tenant } = connection
  const lines = [`${connectionId} ${connectorKey}: ${connection.status}`]
  try {
    const token = await getAccessToken(client, tenant, connectionId)
    lines.push(`  access token: yes, ${token.expiresAt === null ? 'no known expiry' : `valid until ${new Date(token.expiresAt).toISOString()}`}`)
  } catch (error) {
    if (!(error instanceof LatchkeyApiError)) throw error
    // The codes this program can do something about; any other refusal ends it.
    if (error.code === 'invalid_request') lines.push('  access token: none (typed credentials); its API is called through the proxy')
    else if (error.code === 'needs_reauth') return [...lines, `  needs the user again: send them to ${await reconnectUrl(client, connection)}`]
    else throw error
  }
  const answer = await callProviderApi(client, tenant, connectionId, proxyPath)
  const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
  lines.push(`  GET ${proxyPath} through the proxy: ${answer.status} ${body.slice(0, SHOWN_BODY_LENGTH)}`)
  return lines
}

/** A one-time reconnect URL, or why there is none (a key without connections:write). */
async function reconnectUrl(client: LatchkeyClient, connection: ConnectionSummary): Promise<string> {
  try {
    const { url } = await createConnectUrl(client, connection.tenant, { connectorKey: connection.connectorKey, connectionId: connection.connectionId })
    return url
  } catch (error) {
    if (error instanceof LatchkeyApiError && error.code === 'insufficient_scope') return '(a reconnect URL needs a key with connections:write)'
    throw error
  }
}

/** What to do about a refusal that ends the program, by its code. */
function adviceFor(error: LatchkeyApiError): string {
  switch (error.code) {
    case 'api_key_required':
    case 'invalid_api_key':
      return 'Check LATCHKEY_API_KEY against the API_KEYS entry Latchkey runs with.'
    case 'insufficient_scope':
      return 'Give the key the scope named above (a new key: npm run api-key -- create).'
    case 'tenant_not_allowed':
      return "LATCHKEY_TENANT is outside the key's tenant prefix."
    case 'rate_limited':
      return `Try again in ${error.retryAfterSeconds ?? 60} seconds.`
    default:
      return 'See the code in the README, "Error codes".'
  }
}

async function main(): Promise<number> {
  let settings: Settings
  let client: LatchkeyClient
  try {
    settings = readSettings(process.env)
    client = createLatchkeyClient(settings)
  } catch (error) {
    console.error((error as Error).message)
    return 2
  }
  try {
    for (const line of await describeTenant(client, settings.tenant, settings.proxyPath)) console.log(line)
    return 0
  } catch (error) {
    if (!(error instanceof LatchkeyApiError)) throw error
    console.error(`Latchkey refused: ${error.code} (${error.status}): ${error.message}\n${adviceFor(error)}`)
    return 1
  }
}

process.exitCode = await main()
