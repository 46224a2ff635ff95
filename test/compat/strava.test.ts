/**
 * Strava's connector (test/compat/connectors/strava/), unchanged, against the Strava emulator:
 * a comma-separated `scope` and `approval_prompt` through `extra` (with `scopes` empty), client
 * credentials in the body, no PKCE, token responses with `expires_at` in epoch SECONDS next to
 * `expires_in` (stored as milliseconds), the `athlete` of the code exchange kept through
 * refreshes, and a connection test through `externalApiClient`.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { STRAVA_ATHLETE, STRAVA_CLIENT, STRAVA_EXPIRES_IN } from './emulator/strava.ts'
import { expectAuthorizeUrl, expectClientAuthentication, REDIRECT_URI, STATE } from './expectations.ts'

const strava = new EmulatorControl('strava')

afterEach(expectNoUnexpectedOutbound)

describe('Strava', () => {
  it('is compiled into the registry', () => {
    expectCompiled('strava')
  })

  it('sends the user to Strava with the comma-separated default scope and approval_prompt from extra, and no PKCE challenge', async () => {
    const { authorizeUrl } = await startConnect('strava')
    expectAuthorizeUrl(authorizeUrl, 'https://www.strava.com/oauth/authorize', {
      response_type: 'code',
      client_id: STRAVA_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      scope: 'read,activity:read',
      approval_prompt: 'auto',
    })
  })

  it('exchanges the code with client_id and client_secret in the body', async () => {
    const connection = await connect('strava')
    const [exchange, ...others] = await strava.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://www.strava.com/oauth/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', STRAVA_CLIENT)
    expect(exchange?.form?.['code_verifier']).toBeUndefined()
  })

  it('is connected after GET /api/v3/athlete through externalApiClient named the athlete of the code exchange', async () => {
    const connection = await connect('strava')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const calls = await strava.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://www.strava.com/api/v3/athlete'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await strava.latestAccessToken(connection.grant)}`)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ token_type: 'Bearer', athlete: STRAVA_ATHLETE })
  })

  it('stores expires_at in milliseconds although Strava sends epoch seconds, and does not refresh a fresh token', async () => {
    const before = Date.now()
    const connection = await connect('strava')
    const after = Date.now()
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    const expiresAt = credentials['expires_at']
    // Strava's expires_at counts whole seconds: up to a second before `before` is the same instant.
    expect(expiresAt).toBeGreaterThanOrEqual(before - 1000 + STRAVA_EXPIRES_IN * 1000)
    expect(expiresAt).toBeLessThanOrEqual(after + STRAVA_EXPIRES_IN * 1000)
    expect((await latchkey.getConnection(connection.tenant, connection.connectionId)).expiresAt).toBe(expiresAt)
    expect(await latchkey.getAccessToken(connection.tenant, connection.connectionId)).toEqual({ accessToken: await strava.latestAccessToken(connection.grant), expiresAt })
    expect(await strava.requests(connection.grant, 'token')).toHaveLength(1)
  })

  it('refreshes with the newest refresh token, keeps the athlete and the expiry in milliseconds', async () => {
    const connection = await connect('strava')
    await latchkey.refresh(connection.tenant, connection.connectionId)
    const refreshedFrom = Date.now()
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await strava.requests(connection.grant, 'token')
    const { refresh } = await strava.tokens(connection.grant)
    expectClientAuthentication(firstRefresh!, 'body', STRAVA_CLIENT)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[1]?.value })
    const latest = await strava.latestAccessToken(connection.grant)
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ access_token: latest, athlete: STRAVA_ATHLETE })
    expect(credentials['expires_at']).toBeGreaterThanOrEqual(refreshedFrom - 1000 + STRAVA_EXPIRES_IN * 1000)
    expect(credentials['expires_at']).toBeLessThanOrEqual(Date.now() + STRAVA_EXPIRES_IN * 1000)
  })

  it('proxies an API call with the Bearer token', async () => {
    const connection = await connect('strava')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/athlete/activities' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject([{ name: 'Happy Friday', type: 'Ride' }])
    const call = (await strava.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://www.strava.com/api/v3/athlete/activities' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await strava.latestAccessToken(connection.grant)}`)
  })
})
