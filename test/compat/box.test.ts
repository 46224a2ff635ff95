/**
 * Box's connector (test/compat/connectors/box/), unchanged, against the Box emulator: client
 * credentials in the body, no PKCE, lower-case `token_type: "bearer"`, an inline `code:` test
 * through `externalApiClient`, and single-use refresh tokens: every refresh must store the new
 * refresh token, because the old one is dead.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { BOX_CLIENT } from './emulator/box.ts'
import { expectAuthorizeUrl, expectClientAuthentication, REDIRECT_URI, STATE } from './expectations.ts'

const box = new EmulatorControl('box')

afterEach(expectNoUnexpectedOutbound)

describe('Box', () => {
  it('is compiled into the registry', () => {
    expectCompiled('box')
  })

  it('sends the user to Box without scope or PKCE challenge', async () => {
    const { authorizeUrl } = await startConnect('box')
    expectAuthorizeUrl(authorizeUrl, 'https://account.box.com/api/oauth2/authorize', {
      response_type: 'code',
      client_id: BOX_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
    })
  })

  it('exchanges the code with client_id and client_secret in the body', async () => {
    const connection = await connect('box')
    const [exchange, ...others] = await box.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://api.box.com/oauth2/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', BOX_CLIENT)
    expect(exchange?.form?.['code_verifier']).toBeUndefined()
  })

  it('stores the lower-case bearer token and is connected after GET /2.0/users/me through externalApiClient', async () => {
    const connection = await connect('box')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const token = await box.latestAccessToken(connection.grant)
    const calls = await box.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://api.box.com/2.0/users/me'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${token}`)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ access_token: token, token_type: 'bearer', restricted_to: [] })
  })

  it('stores each single-use refresh token: two refreshes in a row present the first, then the second', async () => {
    const connection = await connect('box')
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh, ...more] = await box.requests(connection.grant, 'token')
    expect(more).toEqual([])
    const { refresh } = await box.tokens(connection.grant)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: refresh[1]?.value })
    expectClientAuthentication(secondRefresh!, 'body', BOX_CLIENT)
    // Presenting a used refresh token would have revoked the grant: every token is still live.
    expect(refresh.map((token) => token.retired)).toEqual([true, true, false])
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(await box.latestAccessToken(connection.grant))
  })

  it('refreshes once on a 401 and retries with the new token', async () => {
    const connection = await connect('box')
    await box.expireAccessTokens(connection.grant)
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/folders/0' })
    expect(response.status).toBe(200)
    const log = await box.log(connection.grant)
    const afterConnect = log.slice(log.findIndex((entry) => entry.endpoint === 'api') + 1)
    expect(afterConnect.map((entry) => `${entry.endpoint} ${entry.form?.['grant_type'] ?? entry.path}`)).toEqual([
      'api /2.0/folders/0',
      'token refresh_token',
      'api /2.0/folders/0',
    ])
    expect(afterConnect[2]?.headers['authorization']).toBe(`Bearer ${await box.latestAccessToken(connection.grant)}`)
  })

  it('proxies an API call with the Bearer token', async () => {
    const connection = await connect('box')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/folders/0' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ type: 'folder', id: '0', name: 'All Files' })
    const call = (await box.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://api.box.com/2.0/folders/0' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await box.latestAccessToken(connection.grant)}`)
  })
})
