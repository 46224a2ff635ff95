/**
 * Connections from typed credentials (client-credentials) over RPC, `createConnection`: tested
 * before anything is stored (S22), secrets sealed and kept out of the record, reconnect, what
 * getAccessToken means for them; an OAuth2 client-credentials grant through `latchkey:oauth2`
 * (first grant at creation, a new grant as the refresh); and a connector with `options`, whose
 * connections record the option they use and follow it.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { LatchkeyClient } from '@latchkey/client'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'
import { connectThroughFlow } from '../support/connect-flow.ts'
import { connectionObject, newTenant, rawStorage, storedCredentials } from '../support/connections.ts'
import { clientErrorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario, webhookDeliveries } from '../support/upstream.ts'

const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

/** An API key the test upstream accepts: an access token it issued on a fresh scenario. */
async function issuedApiKey(label: string): Promise<{ scenario: UpstreamScenario; apiKey: string }> {
  const scenario = new UpstreamScenario(`${label}-${crypto.randomUUID()}`)
  return { scenario, apiKey: (await scenario.grant()).access_token }
}

describe('S22 createConnection with an API key (option api-key of test-options)', () => {
  it('tests the key, stores the connection with its option, and keeps the key out of the record', async () => {
    const { scenario, apiKey } = await issuedApiKey('typed-ok')
    const tenant = newTenant()
    const summary = await latchkey.createConnection({ tenant, connectorKey: 'test-options', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey } })
    expect(summary).toMatchObject({ connectorKey: 'test-options', authOption: 'api-key', status: 'connected', testResult: { ok: true } })
    expect((await scenario.requestsTo('/api/me')).map((request) => request.headers['authorization'])).toEqual([`Bearer ${apiKey}`])

    const storage = await rawStorage(summary.connectionId)
    expect(Object.keys(storage).sort()).toEqual([STORAGE_KEYS.connection, STORAGE_KEYS.credentials, STORAGE_KEYS.schema, STORAGE_KEYS.secretInput].sort())
    expect(storage[STORAGE_KEYS.connection]).toMatchObject({ connectionInput: { scenario: scenario.id } })
    expect(JSON.stringify(storage)).not.toContain(apiKey)
    expect((await latchkey.listConnections(tenant)).connections).toEqual([summary])

    // The event names the option and carries no input at all.
    await vi.waitFor(async () => expect(await webhookDeliveries(summary.connectionId)).toHaveLength(1))
    const [delivery] = await webhookDeliveries(summary.connectionId)
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({ type: 'connection.created', authOption: 'api-key', connectorKey: 'test-options' })
    expect(delivery?.body).not.toContain(apiKey)
    expect(delivery?.body).not.toContain(scenario.id)
  })

  it('a key the API refuses is credentials_rejected, and nothing is stored', async () => {
    const { scenario } = await issuedApiKey('typed-bad')
    const tenant = newTenant()
    const code = await clientErrorCodeOf(() =>
      latchkey.createConnection({ tenant, connectorKey: 'test-options', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey: 'not-a-key-0123456789' } }),
    )
    expect(code).toBe('credentials_rejected')
    expect(await scenario.count('/api/me')).toBe(1)
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
  })

  it('input that does not match the option form is invalid_connection_input, before any request', async () => {
    const { scenario } = await issuedApiKey('typed-invalid')
    const code = await clientErrorCodeOf(() =>
      latchkey.createConnection({ tenant: newTenant(), connectorKey: 'test-options', authOption: 'api-key', connectionInput: { scenario: scenario.id } }),
    )
    expect(code).toBe('invalid_connection_input')
    expect(await scenario.count('/api/me')).toBe(0)
  })

  it('methods see the sealed key as connection input after the object restarts, and the proxy uses it', async () => {
    const { scenario, apiKey } = await issuedApiKey('typed-restart')
    const tenant = newTenant()
    const { connectionId } = await latchkey.createConnection({ tenant, connectorKey: 'test-options', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey } })
    const response = await latchkey.proxy(tenant, connectionId, { path: '/api/items' })
    expect(await response.json()).toMatchObject({ ok: true, path: '/api/items' })
    expect(await latchkey.testConnection(tenant, connectionId)).toMatchObject({ status: 'connected', testResult: { ok: true } })
    const calls = await scenario.requestsTo('/api/items')
    expect(calls.map((request) => request.headers['authorization'])).toEqual([`Bearer ${apiKey}`])
  })

  it('reconnect replaces the key; a refused new key leaves the old one working', async () => {
    const first = await issuedApiKey('typed-reconnect')
    const tenant = newTenant()
    const input = (apiKey: string) => ({ scenario: first.scenario.id, apiKey })
    const { connectionId } = await latchkey.createConnection({ tenant, connectorKey: 'test-options', authOption: 'api-key', connectionInput: input(first.apiKey) })

    const refused = await clientErrorCodeOf(() =>
      latchkey.createConnection({ tenant, connectionId, connectorKey: 'test-options', authOption: 'api-key', connectionInput: input('refused-key-0123456789') }),
    )
    expect(refused).toBe('credentials_rejected')
    expect((await storedCredentials(connectionId))['apiKey']).toBe(first.apiKey)

    const second = (await first.scenario.grant()).access_token
    const replaced = await latchkey.createConnection({ tenant, connectionId, connectorKey: 'test-options', authOption: 'api-key', connectionInput: input(second) })
    expect(replaced).toMatchObject({ connectionId, status: 'connected' })
    expect((await storedCredentials(connectionId))['apiKey']).toBe(second)
    expect((await latchkey.listConnections(tenant)).connections).toHaveLength(1)
  })

  it('getAccessToken says an API key is no access token; getCredentials hands out the key', async () => {
    const { scenario, apiKey } = await issuedApiKey('typed-token')
    const tenant = newTenant()
    const { connectionId } = await latchkey.createConnection({ tenant, connectorKey: 'test-options', authOption: 'api-key', connectionInput: { scenario: scenario.id, apiKey } })
    expect(await clientErrorCodeOf(() => latchkey.getAccessToken(tenant, connectionId))).toBe('invalid_request')
    expect(await latchkey.getCredentials(tenant, connectionId)).toEqual({ scenario: scenario.id, apiKey })
  })

  it('refuses an oauth2 option, a missing option and an unknown one', async () => {
    const { scenario, apiKey } = await issuedApiKey('typed-options')
    const create = (authOption?: string) => () =>
      latchkey.createConnection({
        tenant: newTenant(),
        connectorKey: 'test-options',
        ...(authOption !== undefined && { authOption }),
        connectionInput: { scenario: scenario.id, apiKey },
      })
    expect(await clientErrorCodeOf(create('oauth'))).toBe('invalid_request')
    expect(await clientErrorCodeOf(create())).toBe('auth_option_required')
    expect(await clientErrorCodeOf(create('__proto__'))).toBe('auth_option_required')
    expect(await scenario.count('/api/me')).toBe(0)
  })
})

describe('options: the oauth option through the connect flow', () => {
  it('records the option it connected with, and refreshes and tests through it', async () => {
    const scenario = new UpstreamScenario(`options-oauth-${crypto.randomUUID()}`)
    const tenant = newTenant()
    const { connectionId } = await connectThroughFlow(scenario, { connectorKey: 'test-options', tenant, claims: { auth_option: 'oauth' } })
    expect(await latchkey.getConnection(tenant, connectionId)).toMatchObject({ authOption: 'oauth', status: 'connected', testResult: { ok: true } })
    const refreshed = await latchkey.getAccessToken(tenant, connectionId, { forceRefresh: true })
    expect(await scenario.count('/token')).toBe(2)
    const response = await latchkey.proxy(tenant, connectionId, { path: '/api/after-refresh' })
    expect(response.status).toBe(200)
    expect((await scenario.requestsTo('/api/after-refresh'))[0]?.headers['authorization']).toBe(`Bearer ${refreshed.accessToken}`)
  })

  it('a connect URL without an option for a connector with options is auth_option_required', async () => {
    const code = await clientErrorCodeOf(() => latchkey.createConnectUrl({ tenant: newTenant(), connectorKey: 'test-options', connectionInput: { scenario: 'any' } }))
    expect(code).toBe('auth_option_required')
  })
})

describe('an OAuth2 client-credentials grant (test-cc-grant, latchkey:oauth2)', () => {
  const client = { id: 'm2m-client', secret: 'm2m:se cr&t' }

  async function grantScenario(label: string): Promise<UpstreamScenario> {
    const scenario = new UpstreamScenario(`${label}-${crypto.randomUUID()}`)
    await scenario.configure({ client: { ...client, auth: 'basic' }, expiresIn: 3600 })
    return scenario
  }

  it('makes the first grant at creation with HTTP Basic client authentication, then tests with its token', async () => {
    const scenario = await grantScenario('cc-create')
    const tenant = newTenant()
    const summary = await latchkey.createConnection({
      tenant,
      connectorKey: 'test-cc-grant',
      connectionInput: { scenario: scenario.id, clientId: client.id, clientSecret: client.secret },
    })
    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect(summary.expiresAt).toBeGreaterThan(Date.now())
    const [grant, ...others] = await scenario.requestsTo('/token')
    expect(others).toEqual([])
    expect(Object.fromEntries(new URLSearchParams(grant?.body))).toEqual({ grant_type: 'client_credentials', scope: 'read' })
    const token = await latchkey.getAccessToken(tenant, summary.connectionId)
    expect((await scenario.requestsTo('/api/me'))[0]?.headers['authorization']).toBe(`Bearer ${token.accessToken}`)
    expect(token.expiresAt).toBe(summary.expiresAt)
  })

  it('refreshes with a new grant through the single flight', async () => {
    const scenario = await grantScenario('cc-refresh')
    const tenant = newTenant()
    const { connectionId } = await latchkey.createConnection({
      tenant,
      connectorKey: 'test-cc-grant',
      connectionInput: { scenario: scenario.id, clientId: client.id, clientSecret: client.secret },
    })
    const before = await latchkey.getAccessToken(tenant, connectionId)
    const results = await Promise.all([latchkey.refresh(tenant, connectionId), latchkey.refresh(tenant, connectionId)])
    expect(results.map((result) => result.status)).toEqual(['connected', 'connected'])
    const after = await latchkey.getAccessToken(tenant, connectionId)
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(await scenario.count('/token')).toBeLessThanOrEqual(3)
    expect((await storedCredentials(connectionId))['clientSecret']).toBe(client.secret)
  })

  it('a wrong client secret is credentials_rejected at creation, and nothing is stored', async () => {
    const scenario = await grantScenario('cc-wrong')
    const tenant = newTenant()
    const code = await clientErrorCodeOf(() =>
      latchkey.createConnection({ tenant, connectorKey: 'test-cc-grant', connectionInput: { scenario: scenario.id, clientId: client.id, clientSecret: 'wrong-secret' } }),
    )
    expect(code).toBe('credentials_rejected')
    expect(await scenario.count('/api/me')).toBe(0)
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
  })

  it('a grant the endpoint refuses later (invalid_client) makes the connection need the user', async () => {
    const scenario = await grantScenario('cc-revoked')
    const tenant = newTenant()
    const { connectionId } = await latchkey.createConnection({
      tenant,
      connectorKey: 'test-cc-grant',
      connectionInput: { scenario: scenario.id, clientId: client.id, clientSecret: client.secret },
    })
    await scenario.configure({ client: { id: client.id, secret: 'rotated-by-the-provider', auth: 'basic' } })
    expect(await clientErrorCodeOf(() => latchkey.refresh(tenant, connectionId))).toBe('needs_reauth')
    expect(await connectionObject(connectionId).getSummary(tenant)).toMatchObject({ status: 'needs_reauth' })
  })
})
