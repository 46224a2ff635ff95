/**
 * Issue #17's done-when, end to end: a protected MCP server is connected by its URL alone. Each
 * test gets its own MCP server (MCP SDK, Streamable HTTP) and authorization server (oidc-provider
 * with open registration and resource indicators) from the lab (test/setup/mcp-server.ts), so
 * what the servers recorded is the test's own. Latchkey is the Worker under test: the
 * application's side through the service binding (createConnectUrl, proxy, getAccessToken,
 * refresh), the user's side through a browser that signs in and consents at the authorization server.
 */
import { env } from 'cloudflare:test'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { E2E_CLIENTS, type E2eBindings } from '../e2e/e2e-configuration.ts'
import type { AuthorizationEvent, McpAuthorizationServerEvent, RegistrationEvent, TokenEvent } from '../setup/mcp-authorization-server.ts'
import type { McpServerEvent, McpWorldInfo } from '../setup/mcp-server.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { RETURN_URL } from '../support/connect-flow.ts'
import { rawStorage } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario, type LoggedRequest } from '../support/upstream.ts'

const latchkey = env.LATCHKEY_SELF
/** Latchkey's redirect URI in tests (PUBLIC_BASE_URL of vitest.config.ts). */
const REDIRECT_URI = `${LATCHKEY_ORIGIN}/oauth/callback`
const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }

/** A fresh MCP server and authorization server; `authorizationServers` makes the server's metadata name those instead. */
async function newWorld(request: { authorizationServers?: string[] } = {}): Promise<McpWorldInfo> {
  const response = await fetch(`${stringBinding('MCP_LAB_ORIGIN')}/worlds`, { method: 'POST', body: JSON.stringify(request) })
  if (!response.ok) throw new Error(`the MCP lab answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as McpWorldInfo
}

/** Everything the world's MCP server received, in order. */
async function mcpServerEvents(world: McpWorldInfo): Promise<McpServerEvent[]> {
  return ((await (await fetch(`${world.mcpOrigin}/__test/events`)).json()) as { events: McpServerEvent[] }).events
}

/** Everything the world's authorization server received, in order. */
async function authorizationServerEvents(world: McpWorldInfo): Promise<McpAuthorizationServerEvent[]> {
  return ((await (await fetch(`${world.issuer}/__test/events`)).json()) as { events: McpAuthorizationServerEvent[] }).events
}

function registrations(events: McpAuthorizationServerEvent[]): RegistrationEvent[] {
  return events.filter((event): event is RegistrationEvent => event.type === 'registration')
}

function tokenRequests(events: McpAuthorizationServerEvent[], grantType: string): TokenEvent[] {
  return events.filter((event): event is TokenEvent => event.type === 'token' && event.grantType === grantType)
}

/** The authorization requests' parameters, one URLSearchParams per request. */
function authorizationRequests(events: McpAuthorizationServerEvent[]): URLSearchParams[] {
  return events.filter((event): event is AuthorizationEvent => event.type === 'authorization').map((event) => new URLSearchParams(event.parameters))
}

/** The space-separated `scope` as a sorted list (order carries no meaning). */
function scopeSet(scope: string | null): string[] {
  return (scope ?? '')
    .split(' ')
    .filter((item) => item !== '')
    .sort()
}

/** A user: a tenant of the application, and their login name at the authorization server. */
function newUser(): { tenant: string; account: string } {
  const account = `mcp-user-${crypto.randomUUID().slice(0, 8)}`
  return { tenant: `tenant-${account}`, account }
}

/**
 * Starts a connect (or, with `connectionId`, a reconnect) of `user` to the world's MCP server
 * the way an application does, createConnectUrl with only the server's URL, and plays the
 * user's browser up to Latchkey's callback: it signs in and consents at the authorization
 * server. Returns the browser and the callback URL, not yet visited.
 */
async function authorizeUpToCallback(world: McpWorldInfo, user: { tenant: string; account: string }, connectionId?: string): Promise<{ browser: Browser; callbackUrl: URL }> {
  const { url } = await latchkey.createConnectUrl({
    tenant: user.tenant,
    connectorKey: 'mcp',
    returnUrl: RETURN_URL,
    ...(connectionId === undefined ? { connectionInput: { resourceUrl: world.resourceUrl } } : { connectionId }),
  })
  const browser = new Browser({ follow: [world.issuer] })
  const loginPage = await browser.navigate(url)
  expect(loginPage.url, await loginPage.response.clone().text()).toMatch(new RegExp(`^${world.issuer}/interaction/`))
  expect(loginPage.response.status).toBe(200)
  await loginPage.response.body?.cancel()
  const consentPage = await browser.navigate(loginPage.url, { form: { prompt: 'login', login: user.account, password: 'any password' } })
  expect(consentPage.url).toMatch(new RegExp(`^${world.issuer}/interaction/`))
  await consentPage.response.body?.cancel()
  // Hop by hop, so the browser stops in front of Latchkey's callback.
  let response = await browser.request(consentPage.url, { form: { prompt: 'consent' } })
  let location = new URL(response.headers.get('Location') ?? '', consentPage.url)
  for (let hop = 0; location.origin === world.issuer && hop < 5; hop++) {
    await response.body?.cancel()
    response = await browser.get(location)
    location = new URL(response.headers.get('Location') ?? '', location)
  }
  await response.body?.cancel()
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
  return { browser, callbackUrl: location }
}

/** Connects (or, with `connectionId`, reconnects) `user` end to end; returns the connection id on the return URL. */
async function connect(world: McpWorldInfo, user: { tenant: string; account: string }, connectionId?: string): Promise<string> {
  const { browser, callbackUrl } = await authorizeUpToCallback(world, user, connectionId)
  const end = await browser.navigate(callbackUrl.toString())
  expect(end.leftTo, `the flow ends at the app, not at ${end.url} (${end.response.status})`).not.toBeNull()
  const returnedTo = new URL(end.leftTo ?? '')
  expect(`${returnedTo.origin}${returnedTo.pathname}`).toBe(RETURN_URL)
  expect(returnedTo.searchParams.get('error')).toBeNull()
  expect(returnedTo.searchParams.get('status')).toBe('connected')
  const returnedId = returnedTo.searchParams.get('connection_id')
  if (returnedId === null) throw new Error(`no connection_id on the return URL ${returnedTo}`)
  return returnedId
}

/** One MCP message through Latchkey's proxy to the resource itself (path ""), in a session when `sessionId` is given. */
async function mcpCall(tenant: string, connectionId: string, message: unknown, sessionId?: string): Promise<{ status: number; sessionId: string | null; body: unknown }> {
  const headers: Record<string, string> = { ...MCP_HEADERS, ...(sessionId === undefined ? {} : { 'Mcp-Session-Id': sessionId }) }
  const response = await latchkey.proxy(tenant, connectionId, { path: '', method: 'POST', headers, body: JSON.stringify(message) })
  const text = await response.text()
  return { status: response.status, sessionId: response.headers.get('Mcp-Session-Id'), body: text === '' ? null : JSON.parse(text) }
}

/** `initialize` and `notifications/initialized` through the proxy; the session id. */
async function openMcpSession(tenant: string, connectionId: string): Promise<string> {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'latchkey-e2e', version: '1' } },
  }
  const initialized = await mcpCall(tenant, connectionId, initialize)
  expect(initialized, JSON.stringify(initialized.body)).toMatchObject({
    status: 200,
    body: { jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'latchkey-test-mcp-server' } } },
  })
  const sessionId = initialized.sessionId
  if (sessionId === null) throw new Error('the MCP server named no session (Mcp-Session-Id) through the proxy')
  expect((await mcpCall(tenant, connectionId, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).status).toBe(202)
  return sessionId
}

function toolCall(id: number, name: string, args: Record<string, unknown>): unknown {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }
}

/** A binding vitest.config.ts adds for tests only (so not in the generated Env type). */
function stringBinding(name: string): string {
  const value: unknown = Reflect.get(env, name)
  if (typeof value !== 'string') throw new Error(`${name} is not bound: see vitest.config.ts`)
  return value
}

describe('a protected MCP server connected by its URL only', () => {
  it('S28 discovers, registers, authorizes for the resource, and the connection speaks MCP through the proxy', async () => {
    const world = await newWorld()
    const user = newUser()

    const connectionId = await connect(world, user)

    expect(await latchkey.getConnection(user.tenant, connectionId)).toMatchObject({ connectorKey: 'mcp', tenant: user.tenant, status: 'connected' })
    const stored = (await rawStorage(connectionId))['connection'] as { connectionInput: Record<string, unknown> }
    expect(stored.connectionInput['resourceUrl']).toBe(world.resourceUrl)

    // What the authorization server saw: one registration, an authorization request for the resource, a code exchange for it.
    const events = await authorizationServerEvents(world)
    const [registration] = registrations(events)
    expect(registrations(events)).toHaveLength(1)
    const [authorization] = authorizationRequests(events)
    expect(authorizationRequests(events)).toHaveLength(1)
    expect(Object.fromEntries(authorization ?? [])).toMatchObject({
      response_type: 'code',
      client_id: registration?.clientId,
      redirect_uri: REDIRECT_URI,
      resource: world.resourceUrl,
      code_challenge_method: 'S256',
    })
    expect(authorization?.get('state')).toMatch(/.{16,}/)
    // The challenge's scope, plus offline_access because the server lists it.
    expect(scopeSet(authorization?.get('scope') ?? null)).toEqual(['mcp:read', 'offline_access'])
    expect(tokenRequests(events, 'authorization_code').map((event) => [event.clientId, event.resource, event.status])).toEqual([[registration?.clientId, [world.resourceUrl], 200]])

    // MCP through the proxy: initialize, then a tool call answered with the user's token.
    const sessionId = await openMcpSession(user.tenant, connectionId)
    const echoed = await mcpCall(user.tenant, connectionId, toolCall(2, 'echo', { message: 'hello through Latchkey' }), sessionId)
    expect(echoed).toMatchObject({
      status: 200,
      body: { id: 2, result: { content: [{ type: 'text', text: 'hello through Latchkey' }], structuredContent: { subject: user.account } } },
    })

    // The token the application can get is the one bound to the resource.
    const { accessToken } = await latchkey.getAccessToken(user.tenant, connectionId)
    expect(decodeJwt(accessToken)).toMatchObject({ iss: world.issuer, aud: world.resourceUrl, sub: user.account, scope: 'mcp:read' })

    // What the MCP server saw: the discovery probe (an unauthenticated initialize), its metadata once, then the calls.
    const serverEvents = await mcpServerEvents(world)
    expect(serverEvents.filter((event) => event.kind !== 'mcp').map((event) => event.kind)).toEqual(['unauthorized', 'resource_metadata'])
    expect(serverEvents[0]).toMatchObject({ kind: 'unauthorized', authorizationPresented: false, rpcMethods: ['initialize'] })
    expect(serverEvents.filter((event) => event.kind === 'mcp').map((event) => [event.rpcMethods, event.token?.subject, event.token?.jti])).toEqual([
      [['initialize'], user.account, decodeJwt(accessToken).jti],
      [['notifications/initialized'], user.account, decodeJwt(accessToken).jti],
      [['tools/call'], user.account, decodeJwt(accessToken).jti],
    ])
  })

  it('S27 registers one client at the authorization server for two connections of two tenants', async () => {
    const world = await newWorld()
    const [alice, bob] = [newUser(), newUser()]

    const aliceConnection = await connect(world, alice)
    const bobConnection = await connect(world, bob)

    const events = await authorizationServerEvents(world)
    expect(registrations(events)).toHaveLength(1)
    const [registration] = registrations(events)
    expect(registration).toMatchObject({ status: 201, metadata: { redirect_uris: [REDIRECT_URI] } })
    expect(registration?.metadata['grant_types']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    expect(authorizationRequests(events).map((request) => request.get('client_id'))).toEqual([registration?.clientId, registration?.clientId])
    expect(tokenRequests(events, 'authorization_code').map((event) => event.clientId)).toEqual([registration?.clientId, registration?.clientId])

    // Each connection acts for its own user.
    for (const [user, connectionId] of [
      [alice, aliceConnection],
      [bob, bobConnection],
    ] as const) {
      const sessionId = await openMcpSession(user.tenant, connectionId)
      const echoed = await mcpCall(user.tenant, connectionId, toolCall(2, 'echo', { message: 'who?' }), sessionId)
      expect(echoed.body).toMatchObject({ result: { structuredContent: { subject: user.account } } })
    }
  })

  it('S28 refreshes with the resource in the token request, and the new token works', async () => {
    const world = await newWorld()
    const user = newUser()
    const connectionId = await connect(world, user)
    const before = await latchkey.getAccessToken(user.tenant, connectionId)

    await latchkey.refresh(user.tenant, connectionId)

    const after = await latchkey.getAccessToken(user.tenant, connectionId)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(decodeJwt(after.accessToken)).toMatchObject({ aud: world.resourceUrl, sub: user.account })
    const refreshes = tokenRequests(await authorizationServerEvents(world), 'refresh_token')
    expect(refreshes.map((event) => [event.resource, event.status])).toEqual([[[world.resourceUrl], 200]])
    const [registration] = registrations(await authorizationServerEvents(world))
    expect(refreshes[0]?.clientId).toBe(registration?.clientId)

    await openMcpSession(user.tenant, connectionId)
    const lastCall = (await mcpServerEvents(world)).filter((event) => event.kind === 'mcp').at(-1)
    expect(lastCall?.token?.jti).toBe(decodeJwt(after.accessToken).jti)
  })

  it('answers insufficient_scope with step_up_required, and a reconnect asks for the union of the scopes', async () => {
    const world = await newWorld()
    const user = newUser()
    const connectionId = await connect(world, user)
    const sessionId = await openMcpSession(user.tenant, connectionId)

    const refused = await errorCodeOf(() => mcpCall(user.tenant, connectionId, toolCall(2, 'write', { text: 'x' }), sessionId))

    expect(refused).toBe('step_up_required')
    expect((await mcpServerEvents(world)).at(-1)).toMatchObject({ kind: 'insufficient_scope', status: 403, tools: ['write'] })

    expect(await connect(world, user, connectionId)).toBe(connectionId)
    const authorizations = authorizationRequests(await authorizationServerEvents(world))
    expect(authorizations.map((request) => scopeSet(request.get('scope')))).toEqual([
      ['mcp:read', 'offline_access'],
      ['mcp:read', 'mcp:write', 'offline_access'],
    ])
    expect(authorizations[1]?.get('resource')).toBe(world.resourceUrl)

    const newSession = await openMcpSession(user.tenant, connectionId)
    const written = await mcpCall(user.tenant, connectionId, toolCall(3, 'write', { text: 'x' }), newSession)
    expect(written).toMatchObject({ status: 200, body: { id: 3, result: { content: [{ type: 'text', text: 'written: x' }] } } })
    expect(scopeSet(String(decodeJwt((await latchkey.getAccessToken(user.tenant, connectionId)).accessToken)['scope']))).toEqual(['mcp:read', 'mcp:write'])
  })
})

describe('S28 the callback of a discovered connection', () => {
  it.each([
    ['another issuer', (issuer: string): string | null => `${issuer}0`],
    ['the issuer with a trailing slash', (issuer: string): string | null => `${issuer}/`],
    ['no iss, although the server advertises it', (): string | null => null],
  ])('S28 is refused before any token request when it carries %s', async (_case, issFor) => {
    const world = await newWorld()
    const { browser, callbackUrl } = await authorizeUpToCallback(world, newUser())
    expect(callbackUrl.searchParams.get('iss')).toBe(world.issuer)
    const iss = issFor(world.issuer)
    if (iss === null) callbackUrl.searchParams.delete('iss')
    else callbackUrl.searchParams.set('iss', iss)

    const response = await browser.get(callbackUrl)

    expect(await errorCodeOf(response)).toBe('issuer_mismatch')
    expect(tokenRequests(await authorizationServerEvents(world), 'authorization_code')).toEqual([])
  })
})

describe('an authorization server without PKCE', () => {
  it('is refused at the start, before any registration or authorization request: pkce_not_supported at the return URL', async () => {
    const scenario = new UpstreamScenario(`mcp-no-pkce-${crypto.randomUUID()}`)
    const { code_challenge_methods_supported: _s256, ...withoutPkce } = hostileServerMetadata(scenario.issuer)
    await scenario.script('/.well-known/openid-configuration', [{ body: withoutPkce }])
    const world = await newWorld({ authorizationServers: [scenario.issuer] })
    const { url } = await latchkey.createConnectUrl({ tenant: newUser().tenant, connectorKey: 'mcp', connectionInput: { resourceUrl: world.resourceUrl }, returnUrl: RETURN_URL })

    const start = await new Browser().get(url)
    expect(start.status).toBe(303)
    expect(new URL(start.headers.get('Location') ?? '').searchParams.get('error')).toBe('pkce_not_supported')
    expect((await scenario.log()).requests.map((request) => request.path)).toEqual(['/.well-known/openid-configuration'])
  })
})

describe('S27 a hostile resource naming the issuer of a hand-written connector', () => {
  it("S27 gets its own registration at that issuer, never the test-oauth connector's client id or secret", async () => {
    // The fixture connector test-oauth (client id and secret from Worker variables) declares the
    // issuer `${upstream}/s/<scenario>` for connections with `withIssuer`. Here that issuer's
    // server answers like a discovery-ready authorization server, and records every request.
    const fixtureClientId = stringBinding('TEST_OAUTH__CLIENT_ID')
    const fixtureSecret = stringBinding('TEST_OAUTH__CLIENT_SECRET')
    const scenario = new UpstreamScenario(`mcp-hostile-${crypto.randomUUID()}`)
    await scenario.script('/.well-known/openid-configuration', [{ body: hostileServerMetadata(scenario.issuer) }])
    await scenario.script('/register', [{ status: 201, body: { ...registrationAnswer(), client_id: 'hostile-registered-client', client_secret: 'hostile-registered-secret' } }])
    const world = await newWorld({ authorizationServers: [scenario.issuer] })
    const user = newUser()
    const { url } = await latchkey.createConnectUrl({ tenant: user.tenant, connectorKey: 'mcp', connectionInput: { resourceUrl: world.resourceUrl }, returnUrl: RETURN_URL })
    const browser = new Browser()

    const start = await browser.get(url)
    expect(start.status, await start.clone().text()).toBe(302)
    const authorizeUrl = new URL(start.headers.get('Location') ?? '')
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${scenario.issuer}/authorize`)
    // The test upstream approves at once; the callback makes Latchkey use the token endpoint too.
    const approval = await browser.get(authorizeUrl)
    await browser.get(new URL(approval.headers.get('Location') ?? ''))

    const received = (await scenario.log()).requests
    expect(received.map((request) => request.path)).toEqual(expect.arrayContaining(['/.well-known/openid-configuration', '/register', '/authorize', '/token']))
    expect(JSON.parse(received.find((request) => request.path === '/register')?.body ?? '{}')).toMatchObject({ redirect_uris: [REDIRECT_URI] })
    expect(new URLSearchParams(received.find((request) => request.path === '/authorize')?.query).get('client_id')).toBe('hostile-registered-client')
    expect(clientIdsIn(received.find((request) => request.path === '/token') ?? received[0]!)).toEqual(['hostile-registered-client'])
    for (const request of received) {
      expect(clientIdsIn(request), `${request.method} ${request.path}`).not.toContain(fixtureClientId)
      expect(leaksSecret(request, fixtureSecret), `${request.method} ${request.path}`).toBe(false)
    }
  })

  it("S27 never lends the e2e server's clients to a resource that names its issuer", async () => {
    const issuer = (env as unknown as E2eBindings).E2E_BASIC__ISSUER
    const world = await newWorld({ authorizationServers: [issuer] })
    const user = newUser()
    const { url } = await latchkey.createConnectUrl({ tenant: user.tenant, connectorKey: 'mcp', connectionInput: { resourceUrl: world.resourceUrl }, returnUrl: RETURN_URL })

    const start = await new Browser().get(url)

    // Discovery reached the hostile metadata; the e2e server offers no registration (nor a client ID
    // metadata document), and MCP_CLIENTS names nothing: there is no client Latchkey may use there.
    expect((await mcpServerEvents(world)).map((event) => event.kind)).toContain('resource_metadata')
    expect(await errorCodeOf(start)).toBe('client_registration_unavailable')
    const location = start.headers.get('Location') ?? ''
    const body = await start.text()
    expect(location.startsWith(issuer), `redirected to ${location}`).toBe(false)
    for (const client of E2E_CLIENTS) {
      for (const value of [client.clientId, client.clientSecret, encodeURIComponent(client.clientId), encodeURIComponent(client.clientSecret)]) {
        expect(location).not.toContain(value)
        expect(body).not.toContain(value)
      }
    }
  })
})

/** RFC 8414 metadata a server at `issuer` (the test upstream's scenario) answers with: ready for discovery and registration. */
function hostileServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: ['mcp:read', 'offline_access'],
  }
}

/** An RFC 7591 registration answer echoing what Latchkey registers (the scripted server cannot read the request). */
function registrationAnswer(): Record<string, unknown> {
  return {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    client_id_issued_at: Math.floor(Date.now() / 1000),
    client_secret_expires_at: 0,
  }
}

/** Every client id a request names: query, form or JSON body, and Basic credentials. */
function clientIdsIn(request: LoggedRequest): string[] {
  const ids = [...new URLSearchParams(request.query).getAll('client_id'), ...new URLSearchParams(request.body).getAll('client_id')]
  try {
    const json = JSON.parse(request.body) as { client_id?: unknown }
    if (typeof json.client_id === 'string') ids.push(json.client_id)
  } catch {
    // Not JSON: the form reading above covers it.
  }
  const basic = /^basic (.+)$/i.exec(request.headers['authorization'] ?? '')?.[1]
  if (basic !== undefined) ids.push(decodeURIComponent(atob(basic).split(':')[0] ?? ''))
  return ids
}

/** Whether `secret` appears in the request in any spelling a client would send it in. */
function leaksSecret(request: LoggedRequest, secret: string): boolean {
  const text = `${request.query}\n${JSON.stringify(request.headers)}\n${request.body}`
  const basic = /^basic (.+)$/i.exec(request.headers['authorization'] ?? '')?.[1]
  const decodedBasic = basic === undefined ? '' : decodeURIComponent(atob(basic))
  const spellings = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]
  return spellings.some((spelling) => text.includes(spelling)) || decodedBasic.includes(secret)
}
