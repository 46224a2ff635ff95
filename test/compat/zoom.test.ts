/**
 * Zoom's connector (test/compat/connectors/zoom/), unchanged, against the Zoom emulator: HTTP
 * Basic client authentication for the code exchange and the refresh, PKCE, `token_type: "bearer"`
 * in lower case, rotating refresh tokens, the parametersSchema `default` scope, the Zoom for
 * Government input (`inputSchema`), and a `rest-api-mapping` test with a path parameter.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { ZOOM_CLIENT, ZOOM_EXPIRES_IN } from './emulator/zoom.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const zoom = new EmulatorControl('zoom')

afterEach(expectNoUnexpectedOutbound)

describe('Zoom', () => {
  it('is compiled into the registry', () => {
    expectCompiled('zoom')
  })

  it('sends the user to Zoom with an S256 challenge and the default scope of parametersSchema', async () => {
    const { authorizeUrl } = await startConnect('zoom')
    expectAuthorizeUrl(authorizeUrl, 'https://zoom.us/oauth/authorize', {
      response_type: 'code',
      client_id: ZOOM_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'user:read:user',
    })
  })

  it('sends a Zoom for Government account to zoomgov.com (inputSchema)', async () => {
    const { authorizeUrl } = await startConnect('zoom', { input: { government: true } })
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe('https://zoomgov.com/oauth/authorize')
    expect(authorizeUrl.searchParams.get('client_id')).toBe(ZOOM_CLIENT.id)
  })

  it('exchanges the code with HTTP Basic client authentication and the PKCE verifier', async () => {
    const connection = await connect('zoom')
    const [exchange, ...others] = await zoom.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://zoom.us/oauth/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'basic', ZOOM_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('stores the lower-case bearer token and is connected after its rest-api-mapping test read GET /v2/users/me', async () => {
    const before = Date.now()
    const connection = await connect('zoom')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    expect(summary.expiresAt).toBeGreaterThanOrEqual(before + ZOOM_EXPIRES_IN * 1000)
    const token = await zoom.latestAccessToken(connection.grant)
    const calls = await zoom.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.zoom.us/v2/users/me'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${token}`)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ access_token: token, token_type: 'bearer', api_url: 'https://api.zoom.us' })
  })

  it('refreshes with HTTP Basic client authentication and stores the rotated refresh token', async () => {
    const connection = await connect('zoom')
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await zoom.requests(connection.grant, 'token')
    const { refresh } = await zoom.tokens(connection.grant)
    expectClientAuthentication(firstRefresh!, 'basic', ZOOM_CLIENT)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[1]?.value })
    expect(refresh.map((token) => token.retired)).toEqual([true, true, false])
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(await zoom.latestAccessToken(connection.grant))
  })

  it("answers Zoom's 401 (code 124) in the rest-api-mapping test with one refresh and one retry", async () => {
    const connection = await connect('zoom')
    await zoom.expireAccessTokens(connection.grant)
    expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', testResult: { ok: true } })
    const log = await zoom.log(connection.grant)
    const afterConnect = log.slice(log.findIndex((entry) => entry.endpoint === 'api') + 1)
    expect(afterConnect.map((entry) => `${entry.endpoint} ${entry.form?.['grant_type'] ?? entry.path}`)).toEqual(['api /v2/users/me', 'token refresh_token', 'api /v2/users/me'])
    expect(afterConnect[2]?.headers['authorization']).toBe(`Bearer ${await zoom.latestAccessToken(connection.grant)}`)
  })

  it('proxies an API call with the Bearer token', async () => {
    const connection = await connect('zoom')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/users/me/meetings' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ total_records: 1, meetings: [{ topic: 'Weekly sync' }] })
    const call = (await zoom.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://api.zoom.us/v2/users/me/meetings' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await zoom.latestAccessToken(connection.grant)}`)
  })
})
