/**
 * HubSpot's connector (test/compat/connectors/hubspot/), unchanged, against the HubSpot
 * emulator: the token endpoint on api.hubapi.com with client credentials in the body,
 * short-lived access tokens (expires_in 1800) whose expiry Latchkey keeps, a refresh token
 * HubSpot answers again unchanged, and a rest-api-mapping test that puts the token in the path
 * of GET /oauth/v1/access-tokens/{token}.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { HUBSPOT_CLIENT, HUBSPOT_PORTAL_ID, HUBSPOT_TOKEN_LIFETIME } from './emulator/hubspot.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const hubspot = new EmulatorControl('hubspot')

afterEach(expectNoUnexpectedOutbound)

describe('HubSpot', () => {
  it('is compiled into the registry', () => {
    expectCompiled('hubspot')
  })

  it("sends the user to HubSpot's install page with space-separated scopes", async () => {
    const { authorizeUrl } = await startConnect('hubspot')
    expectAuthorizeUrl(authorizeUrl, 'https://app.hubspot.com/oauth/authorize', {
      response_type: 'code',
      client_id: HUBSPOT_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'oauth crm.objects.contacts.read',
    })
  })

  it('exchanges the code at api.hubapi.com/oauth/v1/token with client credentials in the body and the PKCE verifier', async () => {
    const connection = await connect('hubspot')
    const [exchange, ...others] = await hubspot.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://api.hubapi.com/oauth/v1/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', HUBSPOT_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('keeps the 30-minute expiry of the short-lived token through a credentials mapping', async () => {
    const connectedAt = Date.now()
    const connection = await connect('hubspot')
    const { expiresAt } = await latchkey.getAccessToken(connection.tenant, connection.connectionId)
    expect(expiresAt).toBeGreaterThanOrEqual(connectedAt + HUBSPOT_TOKEN_LIFETIME * 1000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + HUBSPOT_TOKEN_LIFETIME * 1000)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ tokenSource: 'hubspot-oauth-v1', token_type: 'bearer' })
  })

  it("is connected, its rest-api-mapping test having read the token's metadata with the token in the path", async () => {
    const connection = await connect('hubspot')
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const token = await hubspot.latestAccessToken(connection.grant)
    const calls = await hubspot.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`GET https://api.hubapi.com/oauth/v1/access-tokens/${token}`])
  })

  it('refreshes twice with the refresh token HubSpot answers unchanged, and uses the new access token', async () => {
    const connection = await connect('hubspot')
    const before = await hubspot.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const refreshes = (await hubspot.requests(connection.grant, 'token')).filter((request) => request.form?.['grant_type'] === 'refresh_token')
    expect(refreshes.map((request) => request.form?.['refresh_token'])).toEqual([before.refresh[0]?.value, before.refresh[0]?.value])
    for (const refresh of refreshes) expectClientAuthentication(refresh, 'body', HUBSPOT_CLIENT)
    const latest = await hubspot.latestAccessToken(connection.grant)
    expect((await hubspot.tokens(connection.grant)).access).toHaveLength(3)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
  })

  it('proxies a CRM call with the Bearer token', async () => {
    const connection = await connect('hubspot')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/account-info/v3/details' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ portalId: HUBSPOT_PORTAL_ID })
    const call = (await hubspot.requests(connection.grant, 'api')).at(-1)
    expect(call?.url).toBe('https://api.hubapi.com/account-info/v3/details')
    expect(call?.headers['authorization']).toBe(`Bearer ${await hubspot.latestAccessToken(connection.grant)}`)
  })
})
