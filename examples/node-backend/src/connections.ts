/**
 * What a backend does with Latchkey over HTTP, one function per use: list a tenant's
 * connections, store one from credentials the backend collected, get an access token or the
 * credentials, call the provider's API through Latchkey's proxy, and make a connect URL for the
 * user. Each returns the data or throws LatchkeyApiError with Latchkey's stable `code`.
 */
import { dataOf, isProblemResponse, latchkeyApiError } from './latchkey-error.ts'
import type { AccessToken, ConnectionSummary, ConnectUrl, CreateConnectionRequest, CreateConnectUrlRequest, Credentials, LatchkeyClient } from './latchkey-client.ts'

/** Connections per page; the API allows 1 to 1000. */
const PAGE_SIZE = '100'

/** Every connection of `tenant` (the API pages them, ordered by id). */
export async function listConnections(client: LatchkeyClient, tenant: string): Promise<ConnectionSummary[]> {
  const connections: ConnectionSummary[] = []
  let cursor: string | undefined
  do {
    const page = dataOf(
      await client.GET('/v1/connections', { params: { header: { 'latchkey-tenant': tenant }, query: { limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) } } }),
    )
    connections.push(...page.connections)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return connections
}

/**
 * A connection from credentials the backend collected (an API key the user gave it, a client
 * id and secret): Latchkey checks them with the connector's test and stores them only if it
 * passes (`credentials_rejected` otherwise). They never come back out except through `getCredentials`.
 */
export async function createConnection(client: LatchkeyClient, tenant: string, request: CreateConnectionRequest): Promise<ConnectionSummary> {
  return dataOf(await client.POST('/v1/connections', { params: { header: { 'latchkey-tenant': tenant } }, body: request }))
}

/**
 * A valid access token (Latchkey refreshes it first when due) and its expiry. A connection of
 * typed credentials has none (`invalid_request`): use `callProviderApi` or `getCredentials`.
 */
export async function getAccessToken(client: LatchkeyClient, tenant: string, connectionId: string): Promise<AccessToken> {
  return dataOf(await client.GET('/v1/connections/{id}/access-token', { params: { header: { 'latchkey-tenant': tenant }, path: { id: connectionId } } }))
}

/** The stored credentials, without the refresh token (it never leaves Latchkey). */
export async function getCredentials(client: LatchkeyClient, tenant: string, connectionId: string): Promise<Credentials> {
  return dataOf(await client.GET('/v1/connections/{id}/credentials', { params: { header: { 'latchkey-tenant': tenant }, path: { id: connectionId } } }))
}

/** A one-time URL that sends the user through the connect flow (to connect, or with `connectionId`, to reconnect). */
export async function createConnectUrl(client: LatchkeyClient, tenant: string, request: CreateConnectUrlRequest): Promise<ConnectUrl> {
  return dataOf(await client.POST('/v1/connect-urls', { params: { header: { 'latchkey-tenant': tenant } }, body: request }))
}

/** The provider's answer to a proxied call: its status, and its body (parsed when it is JSON). */
export interface ProviderAnswer {
  status: number
  body: unknown
}

/**
 * `GET <path>` of the connection's API (relative to the connector's base URI), sent by Latchkey
 * with the connection's authentication. The provider's answer comes back whatever its status;
 * only Latchkey's own refusals (problem+json) throw.
 */
export async function callProviderApi(client: LatchkeyClient, tenant: string, connectionId: string, path: string): Promise<ProviderAnswer> {
  const { data, error, response } = await client.GET('/v1/connections/{id}/proxy/{path}', {
    params: { header: { 'latchkey-tenant': tenant }, path: { id: connectionId, path } },
    parseAs: 'text',
    pathSerializer: proxyPathSerializer,
  })
  if (error !== undefined && isProblemResponse(response)) throw latchkeyApiError(response, error)
  if (error !== undefined) return { status: response.status, body: error }
  const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get('Content-Type') ?? '')
  return { status: response.status, body: isJson ? parsedOrText(data ?? '') : (data ?? '') }
}

/** A JSON body parsed; one that does not parse stays text (a provider's label is not a promise). */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * `{path}` may hold slashes (`user/repos`): each segment is percent-encoded on its own, where
 * openapi-fetch's default would encode the slashes too and make it one segment.
 */
function proxyPathSerializer(pathname: string, params: Record<string, unknown>): string {
  const rest = String(params['path'] ?? '')
    .replace(/^\/+/, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/')
  return pathname.replace('{id}', encodeURIComponent(String(params['id'] ?? ''))).replace('{path}', rest)
}
