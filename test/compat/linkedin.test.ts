/**
 * LinkedIn's connector (test/compat/connectors/linkedin/), unchanged, against the LinkedIn
 * emulator: `openid profile email` space-separated, client credentials in the body, no PKCE, a
 * token response without `token_type` (and an id_token the connector declares no issuer for),
 * and refresh tokens only for approved partner apps: refused cleanly without one, used with one.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { approveAtProvider, connect, expectCompiled, finishAtLatchkey, latchkey, latchkeyErrorCode, startConnect, type CompatConnection } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { LINKEDIN_ACCESS_TOKEN_LIFETIME, LINKEDIN_CLIENT, LINKEDIN_MEMBER } from './emulator/linkedin.ts'
import { expectAuthorizeUrl, expectClientAuthentication, REDIRECT_URI, STATE } from './expectations.ts'

const linkedin = new EmulatorControl('linkedin')

afterEach(expectNoUnexpectedOutbound)

/** A connection of an approved Marketing Developer Platform partner app: the code exchange returns a refresh token. */
async function connectAsPartner(): Promise<CompatConnection> {
  const { browser, tenant, authorizeUrl } = await startConnect('linkedin')
  const { callbackUrl, grant } = await approveAtProvider(browser, authorizeUrl)
  await linkedin.call('partner', { grant })
  const connectionId = await finishAtLatchkey(browser, callbackUrl)
  return { connectorKey: 'linkedin', tenant, connectionId, grant, authorizeUrl, callbackUrl }
}

describe('LinkedIn', () => {
  it('is compiled into the registry', () => {
    expectCompiled('linkedin')
  })

  it('sends the user to LinkedIn with the OpenID Connect scopes space-separated and no PKCE challenge', async () => {
    const { authorizeUrl } = await startConnect('linkedin')
    expectAuthorizeUrl(authorizeUrl, 'https://www.linkedin.com/oauth/v2/authorization', {
      response_type: 'code',
      client_id: LINKEDIN_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      scope: 'openid profile email',
    })
  })

  it('exchanges the code at /oauth/v2/accessToken with client_id and client_secret in the body', async () => {
    const connection = await connect('linkedin')
    const [exchange, ...others] = await linkedin.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://www.linkedin.com/oauth/v2/accessToken', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', LINKEDIN_CLIENT)
    expect(exchange?.form?.['code_verifier']).toBeUndefined()
  })

  it('stores a token response without token_type and is connected after GET /v2/userinfo through the API client', async () => {
    const before = Date.now()
    const connection = await connect('linkedin')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    expect(summary.expiresAt).toBeGreaterThanOrEqual(before + LINKEDIN_ACCESS_TOKEN_LIFETIME * 1000)
    const token = await linkedin.latestAccessToken(connection.grant)
    const calls = await linkedin.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.linkedin.com/v2/userinfo'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${token}`)
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ access_token: token, expires_in: LINKEDIN_ACCESS_TOKEN_LIFETIME, scope: 'email,openid,profile' })
    expect(credentials).not.toHaveProperty('token_type')
    // No issuer declared: the unverifiable id_token is not stored (S17).
    expect(credentials).not.toHaveProperty('id_token')
  })

  it('refuses a refresh with refresh_failed when LinkedIn issued no refresh token, and keeps the connection', async () => {
    const connection = await connect('linkedin')
    expect(await latchkeyErrorCode(() => latchkey.refresh(connection.tenant, connection.connectionId))).toBe('refresh_failed')
    expect(await linkedin.requests(connection.grant, 'token')).toHaveLength(1)
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected' })
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(await linkedin.latestAccessToken(connection.grant))
  })

  it('refreshes a partner app connection with its programmatic refresh token, which stays the same', async () => {
    const connection = await connectAsPartner()
    const issued = await linkedin.tokens(connection.grant)
    const refreshedFrom = Date.now()
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await linkedin.requests(connection.grant, 'token')
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: issued.refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: issued.refresh[0]?.value })
    expectClientAuthentication(firstRefresh!, 'body', LINKEDIN_CLIENT)
    const latest = await linkedin.latestAccessToken(connection.grant)
    expect((await linkedin.tokens(connection.grant)).access).toHaveLength(3)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
    // Each refresh gives the access token a new 60 days; the refresh token keeps its 365 days from the first authorization.
    expect((await latchkey.getConnection(connection.tenant, connection.connectionId)).expiresAt).toBeGreaterThanOrEqual(refreshedFrom + LINKEDIN_ACCESS_TOKEN_LIFETIME * 1000)
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials['access_token']).toBe(latest)
    expect(credentials['refresh_token_expires_in']).toBeLessThanOrEqual(365 * 24 * 3600)
  })

  it('proxies an API call with the Bearer token', async () => {
    const connection = await connect('linkedin')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/userinfo' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ sub: LINKEDIN_MEMBER.sub, email: LINKEDIN_MEMBER.email })
    const call = (await linkedin.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://api.linkedin.com/v2/userinfo' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await linkedin.latestAccessToken(connection.grant)}`)
  })
})
