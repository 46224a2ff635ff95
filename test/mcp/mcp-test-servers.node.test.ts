/**
 * The MCP end-to-end suite's servers (test/setup/mcp-server.ts, test/setup/mcp-authorization-server.ts)
 * checked on their own, from Node, without Latchkey: the challenge and metadata a client
 * discovers, and the MCP SDK's own OAuth client connecting by URL alone (registration, resource
 * indicator, PKCE, JWT access token for the resource, refresh, step-up answer). So when
 * test/mcp/discovered-connection.test.ts fails, the servers are known to behave as the
 * specification (and its reference client) expect.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TokenEvent } from '../setup/mcp-authorization-server.ts'
import { startMcpWorld, worldRequest, type McpWorld } from '../setup/mcp-server.ts'

/** Where the SDK client's authorization responses go: never followed, only read. */
const CLIENT_REDIRECT_URL = 'https://client.example/callback'

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }

let world: McpWorld

beforeAll(async () => {
  world = await startMcpWorld()
})

afterAll(async () => {
  await world.close()
})

/** POSTs JSON-RPC `message` to the MCP endpoint with `headers`. */
function postMcp(message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(world.resourceUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(message),
  })
}

describe('what a client discovers', () => {
  it('answers an MCP request without a token with 401 naming its metadata and the scope to ask for', async () => {
    const response = await postMcp(INITIALIZE)
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe(`Bearer resource_metadata="${world.resourceMetadataUrl}", scope="mcp:read"`)
    expect(world.events.at(-1)).toMatchObject({ kind: 'unauthorized', authorizationPresented: false, rpcMethods: ['initialize'] })
  })

  it('refuses a token it cannot verify with error="invalid_token"', async () => {
    const response = await postMcp(INITIALIZE, { Authorization: 'Bearer not-a-jwt' })
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe(`Bearer error="invalid_token", resource_metadata="${world.resourceMetadataUrl}", scope="mcp:read"`)
    expect(world.events.at(-1)).toMatchObject({ kind: 'unauthorized', authorizationPresented: true, tokenProblem: 'ERR_JWS_INVALID' })
  })

  it('publishes RFC 9728 metadata at the path-aware URL only, naming its authorization server', async () => {
    expect(await (await fetch(world.resourceMetadataUrl)).json()).toEqual({
      resource: world.resourceUrl,
      authorization_servers: [world.issuer],
      scopes_supported: ['mcp:read', 'mcp:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Latchkey test MCP server',
    })
    expect((await fetch(`${world.mcpOrigin}/.well-known/oauth-protected-resource`)).status).toBe(404)
  })

  it('has an authorization server with open registration, S256, iss responses and offline_access', async () => {
    const metadata = (await (await fetch(`${world.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
    expect(metadata).toMatchObject({
      issuer: world.issuer,
      registration_endpoint: `${world.issuer}/reg`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token']),
      scopes_supported: expect.arrayContaining(['offline_access']),
    })
  })

  it.each([
    ['', {}],
    ['{}', {}],
    ['{"authorizationServers":["http://127.0.0.1:1/s/x"]}', { authorizationServers: ['http://127.0.0.1:1/s/x'] }],
    ['{"authorizationServers":[]}', null],
    ['{"authorizationServers":["javascript:alert(1)"]}', null],
    ['{"other":1}', null],
    ['[1]', null],
    ['not json', null],
  ])('the lab reads the world request %j as %j', (text, expected) => {
    expect(worldRequest(text)).toEqual(expected)
  })
})

describe("the MCP SDK's own OAuth client, given only the server's URL", () => {
  it('registers once, gets a JWT bound to the resource, calls echo, refreshes, and is told to step up for write', async () => {
    const provider = new SdkClientProvider()
    const first = new StreamableHTTPClientTransport(new URL(world.resourceUrl), { authProvider: provider })
    await expect(new Client({ name: 'sdk-client', version: '1' }).connect(first)).rejects.toThrow(/unauthorized/i)
    const authorizationUrl = provider.authorizationUrl
    if (authorizationUrl === null) throw new Error('the SDK client never redirected to the authorization server')
    expect(authorizationUrl.searchParams.get('resource')).toBe(world.resourceUrl)
    expect(authorizationUrl.searchParams.get('scope')).toBe('mcp:read')

    const callback = await signInAndConsent(authorizationUrl, 'sdk-user')
    expect(callback.searchParams.get('iss')).toBe(world.issuer)
    await first.finishAuth(callback.searchParams.get('code') ?? '')

    const client = new Client({ name: 'sdk-client', version: '1' })
    await client.connect(new StreamableHTTPClientTransport(new URL(world.resourceUrl), { authProvider: provider }))
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello' } })
    expect(echoed).toMatchObject({ content: [{ type: 'text', text: 'hello' }], structuredContent: { message: 'hello', subject: 'sdk-user' } })
    const claims = decodeJwt(provider.savedTokens?.access_token ?? '')
    expect(claims).toMatchObject({ iss: world.issuer, aud: world.resourceUrl, sub: 'sdk-user', scope: 'mcp:read' })

    const registrations = world.authorizationServer.events.filter((event) => event.type === 'registration')
    expect(registrations).toMatchObject([{ status: 201, metadata: { redirect_uris: [CLIENT_REDIRECT_URL] } }])
    const tokenRequests = world.authorizationServer.events.filter((event): event is TokenEvent => event.type === 'token')
    expect(tokenRequests.map((event) => [event.grantType, event.resource, event.status])).toEqual([['authorization_code', [world.resourceUrl], 200]])

    // A refresh for the resource gives another JWT the server accepts.
    const refreshed = await refreshTokens(provider, registrations[0]?.clientId ?? '')
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: world.resourceUrl, scope: 'mcp:read' })
    expect(refreshed.access_token).not.toBe(provider.savedTokens?.access_token)
    const initialized = await postMcp(INITIALIZE, { Authorization: `Bearer ${refreshed.access_token}` })
    expect(initialized.status).toBe(200)
    expect(world.events.at(-1)).toMatchObject({ kind: 'mcp', status: 200, token: { jti: decodeJwt(refreshed.access_token).jti } })

    // write needs mcp:write, which this token lacks: 403 with the scopes to ask for.
    const sessionId = initialized.headers.get('mcp-session-id') ?? ''
    const write = await postMcp(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'write', arguments: { text: 'x' } } },
      { Authorization: `Bearer ${refreshed.access_token}`, 'Mcp-Session-Id': sessionId },
    )
    expect(write.status).toBe(403)
    expect(write.headers.get('WWW-Authenticate')).toBe(`Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="${world.resourceMetadataUrl}"`)
    expect(world.events.at(-1)).toMatchObject({ kind: 'insufficient_scope', tools: ['write'] })
  })
})

/** An in-memory OAuthClientProvider that records where the SDK sent the user agent. */
class SdkClientProvider implements OAuthClientProvider {
  authorizationUrl: URL | null = null
  savedTokens: OAuthTokens | undefined
  #client: OAuthClientInformationMixed | undefined
  #verifier = ''

  get redirectUrl(): string {
    return CLIENT_REDIRECT_URL
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP SDK client (test)',
      redirect_uris: [CLIENT_REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.#client = information
  }

  tokens(): OAuthTokens | undefined {
    return this.savedTokens
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier
  }

  codeVerifier(): string {
    return this.#verifier
  }

  /** The registered client's secret, for a hand-made refresh request. */
  clientSecret(): string {
    const secret = (this.#client as { client_secret?: unknown } | undefined)?.client_secret
    return typeof secret === 'string' ? secret : ''
  }
}

/** A refresh_token grant for the resource, as the client (Basic authentication). */
async function refreshTokens(provider: SdkClientProvider, clientId: string): Promise<OAuthTokens> {
  const response = await fetch(`${world.issuer}/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(provider.clientSecret())}`)}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: provider.savedTokens?.refresh_token ?? '', resource: world.resourceUrl }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as OAuthTokens
}

/**
 * Plays the user agent from `authorizationUrl`: signs in as `account`, consents, and returns
 * the redirect to the client's redirect URL (not followed). Cookies are kept by name, which is
 * all the authorization server's own origin needs.
 */
async function signInAndConsent(authorizationUrl: URL, account: string): Promise<URL> {
  const cookies = new Map<string, string>()
  let url = authorizationUrl.toString()
  let form: Record<string, string> | undefined
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      headers: {
        Cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
      },
      body: form === undefined ? undefined : new URLSearchParams(form),
      redirect: 'manual',
    })
    // Node's Headers (the project's types are the Workers' ones, which name it differently).
    for (const header of (response.headers as unknown as { getSetCookie(): string[] }).getSetCookie()) {
      const [pair = ''] = header.split(';')
      const separator = pair.indexOf('=')
      if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim())
    }
    const location = response.headers.get('Location')
    if (location !== null) {
      const next = new URL(location, url)
      if (next.toString().startsWith(`${CLIENT_REDIRECT_URL}?`)) return next
      url = next.toString()
      form = undefined
      continue
    }
    const page = await response.text()
    expect(response.status, page.slice(0, 300)).toBe(200)
    form = page.includes('name="prompt" value="login"') ? { prompt: 'login', login: account, password: 'any password' } : { prompt: 'consent' }
  }
  throw new Error('the authorization server never redirected back to the client')
}
