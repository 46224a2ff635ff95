/**
 * Xero's connector (test/compat/connectors/xero/), unchanged, against the Xero emulator: the
 * scopes from the parametersSchema `default` (no XERO__SCOPES binding is set), HTTP Basic
 * client authentication, the organisation's tenant id looked up at /connections after the code
 * exchange and sent as `xero-tenant-id`, and rotating refresh tokens.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { XERO_CLIENT } from './emulator/xero.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const xero = new EmulatorControl('xero')

afterEach(expectNoUnexpectedOutbound)

/** The organisation the emulator connected `grant` to (what /connections answers). */
async function tenantIdOf(grant: string): Promise<string> {
  return String((await xero.grantInfo(grant)).data['tenantId'])
}

describe('Xero', () => {
  it('is compiled into the registry', () => {
    expectCompiled('xero')
  })

  it('asks for the default scopes of parametersSchema when XERO__SCOPES is not set', async () => {
    expect(Reflect.has(env, 'XERO__SCOPES')).toBe(false)
    const { authorizeUrl } = await startConnect('xero')
    expectAuthorizeUrl(authorizeUrl, 'https://login.xero.com/identity/connect/authorize', {
      response_type: 'code',
      client_id: XERO_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'openid profile email accounting.transactions accounting.settings offline_access',
    })
  })

  it('exchanges the code with HTTP Basic client authentication and the PKCE verifier', async () => {
    const connection = await connect('xero')
    const [exchange, ...others] = await xero.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://identity.xero.com/connect/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'basic', XERO_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('looks up the tenant at /connections after the exchange and tests the organisation with xero-tenant-id', async () => {
    const connection = await connect('xero')
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const tenantId = await tenantIdOf(connection.grant)
    const [firstToken] = (await xero.tokens(connection.grant)).access
    const calls = await xero.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.xero.com/connections', 'GET https://api.xero.com/api.xro/2.0/Organisation'])
    for (const call of calls) expect(call.headers['authorization']).toBe(`Bearer ${firstToken?.value}`)
    expect(calls[1]?.headers['xero-tenant-id']).toBe(tenantId)
    expect((await latchkey.getCredentials(connection.tenant, connection.connectionId))['tenantId']).toBe(tenantId)
  })

  it('refreshes with the rotating refresh token over HTTP Basic and uses the new access token afterwards', async () => {
    const connection = await connect('xero')
    const before = await xero.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const refreshes = (await xero.requests(connection.grant, 'token')).filter((request) => request.form?.['grant_type'] === 'refresh_token')
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]?.form?.['refresh_token']).toBe(before.refresh[0]?.value)
    expectClientAuthentication(refreshes[0]!, 'basic', XERO_CLIENT)
    expect((await xero.tokens(connection.grant)).refresh.map((token) => token.retired)).toEqual([true, false])
    const latest = await xero.latestAccessToken(connection.grant)
    expect(latest).not.toBe(before.access[0]?.value)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
  })

  it('proxies an Accounting API call with the Bearer token and xero-tenant-id', async () => {
    const connection = await connect('xero')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/Invoices' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ Status: 'OK', Invoices: [{ InvoiceNumber: 'INV-0001' }] })
    const call = (await xero.requests(connection.grant, 'api')).at(-1)
    expect(call?.url).toBe('https://api.xero.com/api.xro/2.0/Invoices')
    expect(call?.headers['authorization']).toBe(`Bearer ${await xero.latestAccessToken(connection.grant)}`)
    expect(call?.headers['xero-tenant-id']).toBe(await tenantIdOf(connection.grant))
  })
})
