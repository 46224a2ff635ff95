/**
 * Airtable's connector (test/compat/connectors/airtable/), unchanged, against the Airtable
 * emulator: PKCE S256 required, HTTP Basic client authentication at the token endpoint (code
 * exchange and refresh), rotating refresh tokens, `refresh_expires_in` kept with the
 * credentials, the parametersSchema `default` scopes, and a `rest-api-mapping` test.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { AIRTABLE_CLIENT, AIRTABLE_REFRESH_EXPIRES_IN } from './emulator/airtable.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const airtable = new EmulatorControl('airtable')

afterEach(expectNoUnexpectedOutbound)

describe('Airtable', () => {
  it('is compiled into the registry', () => {
    expectCompiled('airtable')
  })

  it('sends the user to Airtable with an S256 challenge and the default scopes of parametersSchema, space-separated', async () => {
    const { authorizeUrl } = await startConnect('airtable')
    expectAuthorizeUrl(authorizeUrl, 'https://airtable.com/oauth2/v1/authorize', {
      response_type: 'code',
      client_id: AIRTABLE_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'data.records:read schema.bases:read user.email:read',
    })
  })

  it('exchanges the code with HTTP Basic client authentication and the PKCE verifier', async () => {
    const connection = await connect('airtable')
    const [exchange, ...others] = await airtable.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://airtable.com/oauth2/v1/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'basic', AIRTABLE_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('is connected after its rest-api-mapping test read GET /v0/meta/whoami through the API client', async () => {
    const connection = await connect('airtable')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const calls = await airtable.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.airtable.com/v0/meta/whoami'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await airtable.latestAccessToken(connection.grant)}`)
  })

  it('keeps refresh_expires_in with the credentials and the access token expiry from expires_in', async () => {
    const before = Date.now()
    const connection = await connect('airtable')
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_expires_in: AIRTABLE_REFRESH_EXPIRES_IN })
    const { expiresAt } = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600 * 1000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600 * 1000)
  })

  it('refreshes with HTTP Basic client authentication, stores the rotated refresh token and uses it next time', async () => {
    const connection = await connect('airtable')
    const first = await airtable.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await airtable.requests(connection.grant, 'token')
    expectClientAuthentication(firstRefresh!, 'basic', AIRTABLE_CLIENT)
    expectClientAuthentication(secondRefresh!, 'basic', AIRTABLE_CLIENT)
    const after = await airtable.tokens(connection.grant)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: first.refresh[0]?.value })
    // The second refresh presents the token the first one returned: the rotation was stored.
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: after.refresh[1]?.value })
    expect(after.refresh.map((token) => token.retired)).toEqual([true, true, false])
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(await airtable.latestAccessToken(connection.grant))
  })

  it('proxies a Web API call with the Bearer token', async () => {
    const connection = await connect('airtable')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/meta/bases' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ bases: [{ id: 'appLkNDICXNqxSDhG' }] })
    const call = (await airtable.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://api.airtable.com/v0/meta/bases' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await airtable.latestAccessToken(connection.grant)}`)
  })
})
