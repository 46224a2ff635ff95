/**
 * Stripe's connector (connectors/stripe/), unchanged, against the Stripe emulator: a
 * client-credentials connector whose input (a secret key) is the credentials, sent as
 * `Authorization: Bearer <key>`. Connected over RPC createConnection: the key is tested before
 * anything is stored.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTypedConnection, expectCompiled, latchkey, latchkeyErrorCode } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import type { CredentialLoggedRequest } from './emulator/credential-provider.ts'
import type { StripeAccount } from './emulator/stripe.ts'

const stripe = new EmulatorControl('stripe')

afterEach(expectNoUnexpectedOutbound)

/** A fresh Stripe account and its secret key. */
async function openAccount(): Promise<StripeAccount> {
  return (await stripe.call('account')) as StripeAccount
}

async function requestsOf(grant: string | null): Promise<CredentialLoggedRequest[]> {
  return (await stripe.call('log', { grant })) as CredentialLoggedRequest[]
}

describe('Stripe', () => {
  it('is compiled into the registry', () => {
    expectCompiled('stripe')
  })

  it('connects with the secret key: the test reads GET /v1/account with "Authorization: Bearer <key>"', async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('stripe', { secretKey: account.credentials.secretKey })
    expect(connection.summary).toMatchObject({
      connectorKey: 'stripe',
      tenant: connection.tenant,
      status: 'connected',
      lastError: null,
      testResult: { ok: true },
      authOption: null,
    })

    const calls = await requestsOf(account.grant)
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.stripe.com/v1/account'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${account.credentials.secretKey}`)
    expect(calls[0]?.authenticated).toBe(true)
    expect((await latchkey.listConnections(connection.tenant)).connections).toEqual([expect.objectContaining({ connectionId: connection.connectionId, status: 'connected' })])
  })

  it("proxies an API call with the key as Bearer token and hands back Stripe's answer", async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('stripe', { secretKey: account.credentials.secretKey })
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/customers?limit=1' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ id: 'cus_Compat0001' }], has_more: true })

    const last = (await requestsOf(account.grant)).at(-1)
    expect(last).toMatchObject({ method: 'GET', url: 'https://api.stripe.com/v1/customers?limit=1', authenticated: true })
    expect(last?.headers['authorization']).toBe(`Bearer ${account.credentials.secretKey}`)
  })

  it('has no access token to hand out: getAccessToken is refused, the key stays in the credentials', async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('stripe', { secretKey: account.credentials.secretKey })
    expect(await latchkeyErrorCode(() => latchkey.getAccessToken(connection.tenant, connection.connectionId))).toBe('invalid_request')
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ secretKey: account.credentials.secretKey })
  })

  it('S22 refuses a wrong key (Stripe answers 401): credentials_rejected, and nothing is stored', async () => {
    const tenant = `tenant-${crypto.randomUUID()}`
    const wrongKey = `sk_test_51Wrong${crypto.randomUUID().replace(/-/g, '')}`
    const code = await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'stripe', connectionInput: { secretKey: wrongKey } }))
    expect(code).toBe('credentials_rejected')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])

    const tried = (await requestsOf(null)).filter((call) => call.headers['authorization'] === `Bearer ${wrongKey}`)
    expect(tried.map((call) => `${call.method} ${call.path} ${call.authenticated}`)).toEqual(['GET /v1/account false'])
  })

  it('refuses a key that is not shaped like a Stripe key before calling Stripe (inputSchema pattern)', async () => {
    const tenant = `tenant-${crypto.randomUUID()}`
    const code = await latchkeyErrorCode(() => latchkey.createConnection({ tenant, connectorKey: 'stripe', connectionInput: { secretKey: 'pk_test_publishable-not-secret' } }))
    expect(code).toBe('invalid_connection_input')
    expect((await latchkey.listConnections(tenant)).connections).toEqual([])
    expect((await requestsOf(null)).filter((call) => call.headers['authorization']?.includes('pk_test_publishable'))).toEqual([])
  })

  it('reports a key revoked at Stripe after connecting: the connection test fails', async () => {
    const account = await openAccount()
    const connection = await createTypedConnection('stripe', { secretKey: account.credentials.secretKey })
    await stripe.call('revoke', { grant: account.grant })
    const summary = await latchkey.testConnection(connection.tenant, connection.connectionId)
    expect(summary.testResult).toMatchObject({ ok: false })
    expect(summary.status).toBe('error')
    expect((await requestsOf(account.grant)).map((call) => call.authenticated)).toEqual([true, false])
  })
})
