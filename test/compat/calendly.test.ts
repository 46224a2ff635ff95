/**
 * Calendly's connector (test/compat/connectors/calendly/), unchanged, against the Calendly
 * emulator: HTTP Basic client authentication, PKCE, a token response naming the `owner` and
 * `organization` URIs with `created_at` in epoch seconds next to `expires_in`, a connection test
 * comparing GET /users/me with `owner`, and single-use refresh tokens.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { CALENDLY_CLIENT, CALENDLY_EXPIRES_IN, CALENDLY_ORGANIZATION, CALENDLY_OWNER } from './emulator/calendly.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const calendly = new EmulatorControl('calendly')

afterEach(expectNoUnexpectedOutbound)

describe('Calendly', () => {
  it('is compiled into the registry', () => {
    expectCompiled('calendly')
  })

  it('sends the user to Calendly with an S256 challenge and the default scope of parametersSchema', async () => {
    const { authorizeUrl } = await startConnect('calendly')
    expectAuthorizeUrl(authorizeUrl, 'https://auth.calendly.com/oauth/authorize', {
      response_type: 'code',
      client_id: CALENDLY_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'users:read',
    })
  })

  it('exchanges the code with HTTP Basic client authentication and the PKCE verifier', async () => {
    const connection = await connect('calendly')
    const [exchange, ...others] = await calendly.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://auth.calendly.com/oauth/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'basic', CALENDLY_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('is connected after GET /users/me through the API client named the owner of the token response', async () => {
    const connection = await connect('calendly')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const calls = await calendly.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.calendly.com/users/me'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await calendly.latestAccessToken(connection.grant)}`)
  })

  it('keeps owner, organization and created_at (epoch seconds) as sent, and takes the expiry from expires_in', async () => {
    const before = Date.now()
    const connection = await connect('calendly')
    const after = Date.now()
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ token_type: 'Bearer', owner: CALENDLY_OWNER, organization: CALENDLY_ORGANIZATION, expires_in: CALENDLY_EXPIRES_IN })
    expect(credentials['created_at']).toBeGreaterThanOrEqual(Math.floor(before / 1000))
    expect(credentials['created_at']).toBeLessThanOrEqual(Math.ceil(after / 1000))
    const { expiresAt } = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(expiresAt).toBeGreaterThanOrEqual(before + CALENDLY_EXPIRES_IN * 1000)
    expect(expiresAt).toBeLessThanOrEqual(after + CALENDLY_EXPIRES_IN * 1000)
  })

  it('refreshes with HTTP Basic client authentication, stores the single-use refresh token and still tests as the owner', async () => {
    const connection = await connect('calendly')
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await calendly.requests(connection.grant, 'token')
    const { refresh } = await calendly.tokens(connection.grant)
    expectClientAuthentication(firstRefresh!, 'basic', CALENDLY_CLIENT)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[1]?.value })
    expect(refresh.map((token) => token.retired)).toEqual([true, true, false])
    const latest = await calendly.latestAccessToken(connection.grant)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
    expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect((await calendly.requests(connection.grant, 'api')).at(-1)?.headers['authorization']).toBe(`Bearer ${latest}`)
  })

  it('proxies an API call with the Bearer token and the owner URI in the query', async () => {
    const connection = await connect('calendly')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: `/event_types?user=${encodeURIComponent(CALENDLY_OWNER)}` })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ collection: [{ name: '15 Minute Meeting' }] })
    const call = (await calendly.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', path: '/event_types', query: { user: CALENDLY_OWNER } })
    expect(call?.headers['authorization']).toBe(`Bearer ${await calendly.latestAccessToken(connection.grant)}`)
  })
})
