/**
 * PayPal's connector (connectors/paypal/), unchanged, against the PayPal emulator: an OAuth2
 * client-credentials grant written the format's way, `client-credentials` whose
 * `refreshCredentials` calls `clientCredentialsGrant` (latchkey:oauth2). The merchant types the
 * REST app's client ID and secret; Latchkey gets the first token before the connection test and
 * a new one (a new grant: there is no refresh token) on refresh and on a 401.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTypedConnection, expectCompiled, latchkey, latchkeyErrorCode } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { PAYPAL_TOKEN_LIFETIME, type PayPalApp } from './emulator/paypal.ts'
import { expectClientAuthentication } from './expectations.ts'

const paypal = new EmulatorControl('paypal')

afterEach(expectNoUnexpectedOutbound)

async function registerApp(environment: PayPalApp['environment'] = 'live'): Promise<PayPalApp> {
  return (await paypal.call('app', { environment })) as PayPalApp
}

function clientOf(app: PayPalApp): { id: string; secret: string } {
  return { id: app.credentials.clientId, secret: app.credentials.clientSecret }
}

describe('PayPal (OAuth2 client-credentials grant)', () => {
  it('is compiled into the registry', () => {
    expectCompiled('paypal')
  })

  it('gets the first token with a client-credentials grant (HTTP Basic), then tests with it', async () => {
    const app = await registerApp()
    const connection = await createTypedConnection('paypal', app.credentials)
    expect(connection.summary).toMatchObject({ connectorKey: 'paypal', status: 'connected', lastError: null, testResult: { ok: true } })

    const log = await paypal.log(app.grant)
    expect(log.map((entry) => `${entry.endpoint} ${entry.method} ${entry.url}`)).toEqual([
      'token POST https://api-m.paypal.com/v1/oauth2/token',
      'api GET https://api-m.paypal.com/v1/notifications/webhooks',
    ])
    expect(log[0]?.form).toEqual({ grant_type: 'client_credentials' })
    expect(log[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expectClientAuthentication(log[0]!, 'basic', clientOf(app))
    const [token] = (await paypal.tokens(app.grant)).access
    expect(log[1]?.headers['authorization']).toBe(`Bearer ${token?.value}`)
  })

  it("hands out the access token with its expiry (expires_in of PayPal's answer); the secret stays sealed", async () => {
    const app = await registerApp()
    const before = Date.now()
    const connection = await createTypedConnection('paypal', app.credentials)
    const accessToken = await latchkey.getAccessToken(connection.tenant, connection.connectionId)
    expect(accessToken.accessToken).toBe(await paypal.latestAccessToken(app.grant))
    expect(accessToken.expiresAt).toBeGreaterThanOrEqual(before + PAYPAL_TOKEN_LIFETIME * 1000 - 60_000)
    expect(accessToken.expiresAt).toBeLessThanOrEqual(Date.now() + PAYPAL_TOKEN_LIFETIME * 1000 + 60_000)
    expect(JSON.stringify(connection.summary)).not.toContain(app.credentials.clientSecret)
  })

  it('refreshes with a new client-credentials grant and uses the new token afterwards', async () => {
    const app = await registerApp()
    const connection = await createTypedConnection('paypal', app.credentials)
    const [first] = (await paypal.tokens(app.grant)).access
    expect(await latchkey.refresh(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastRefreshedAt: expect.any(Number) })

    const tokenRequests = await paypal.requests(app.grant, 'token')
    expect(tokenRequests).toHaveLength(2)
    expect(tokenRequests[1]?.form).toEqual({ grant_type: 'client_credentials' })
    expectClientAuthentication(tokenRequests[1]!, 'basic', clientOf(app))
    const latest = await paypal.latestAccessToken(app.grant)
    expect(latest).not.toBe(first?.value)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/v1/notifications/webhooks-event-types' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ event_types: [{ name: 'PAYMENT.CAPTURE.COMPLETED' }, { name: 'CHECKOUT.ORDER.APPROVED' }] })
    const last = (await paypal.requests(app.grant, 'api')).at(-1)
    expect(last).toMatchObject({ method: 'GET', url: 'https://api-m.paypal.com/v1/notifications/webhooks-event-types' })
    expect(last?.headers['authorization']).toBe(`Bearer ${latest}`)
  })

  it('a token PayPal no longer accepts (401) is replaced by a new grant and the test passes on retry', async () => {
    const app = await registerApp()
    const connection = await createTypedConnection('paypal', app.credentials)
    await paypal.expireAccessTokens(app.grant)
    expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', testResult: { ok: true } })

    const log = await paypal.log(app.grant)
    expect(log.map((entry) => `${entry.endpoint} ${entry.path}`)).toEqual([
      'token /v1/oauth2/token',
      'api /v1/notifications/webhooks',
      'api /v1/notifications/webhooks',
      'token /v1/oauth2/token',
      'api /v1/notifications/webhooks',
    ])
    const [first, second] = (await paypal.tokens(app.grant)).access
    expect(log[2]?.headers['authorization']).toBe(`Bearer ${first?.value}`)
    expect(log[4]?.headers['authorization']).toBe(`Bearer ${second?.value}`)
  })

  it('S22 refuses a wrong secret (invalid_client at the token endpoint): credentials_rejected, nothing stored, no API call', async () => {
    const app = await registerApp()
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { ...app.credentials, clientSecret: 'EWrongSecretOfTheRestApp' }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'paypal', connectionInput }))).toBe('credentials_rejected')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
    const log = await paypal.log(app.grant)
    expect(log.map((entry) => `${entry.endpoint} ${entry.path}`)).toEqual(['token /v1/oauth2/token'])
    expectClientAuthentication(log[0]!, 'basic', { id: app.credentials.clientId, secret: 'EWrongSecretOfTheRestApp' })
  })

  it('connects a sandbox app on api-m.sandbox.paypal.com (environment, an enum of the inputSchema)', async () => {
    const app = await registerApp('sandbox')
    const connection = await createTypedConnection('paypal', { ...app.credentials, environment: 'sandbox' })
    expect(connection.summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect((await paypal.log(app.grant)).map((entry) => `${entry.endpoint} ${entry.host}${entry.path}`)).toEqual([
      'token api-m.sandbox.paypal.com/v1/oauth2/token',
      'api api-m.sandbox.paypal.com/v1/notifications/webhooks',
    ])
    const tenant = `tenant-${crypto.randomUUID()}`
    const connectionInput = { ...app.credentials, environment: 'staging' }
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'paypal', connectionInput }))).toBe('invalid_connection_input')
  })

  it('a sandbox app typed as live is refused by the live token endpoint', async () => {
    const app = await registerApp('sandbox')
    const tenant = `tenant-${crypto.randomUUID()}`
    expect(await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'paypal', connectionInput: app.credentials }))).toBe('credentials_rejected')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
    const refused = ((await paypal.call('log', { grant: null })) as { host: string; headers: Record<string, string> }[]).filter(
      (entry) => entry.headers['authorization'] === `Basic ${btoa(`${app.credentials.clientId}:${app.credentials.clientSecret}`)}`,
    )
    expect(refused.map((entry) => entry.host)).toEqual(['api-m.paypal.com'])
  })
})
