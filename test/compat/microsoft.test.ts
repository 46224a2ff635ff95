/**
 * Microsoft's connector (test/compat/connectors/microsoft/), unchanged, against the Microsoft
 * identity platform emulator: the tenant in both endpoint paths (connection input, default
 * `common`), `offline_access` for a refresh token, client secret in the body, and a
 * rest-api-mapping test on Graph's /v1.0/me.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { MICROSOFT_CLIENT, MICROSOFT_USER } from './emulator/microsoft.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const microsoft = new EmulatorControl('microsoft')

afterEach(expectNoUnexpectedOutbound)

describe('Microsoft identity platform', () => {
  it('is compiled into the registry', () => {
    expectCompiled('microsoft')
  })

  it('sends the user to the common tenant when the connection input names none, asking for offline_access', async () => {
    const { authorizeUrl } = await startConnect('microsoft')
    expectAuthorizeUrl(authorizeUrl, 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize', {
      response_type: 'code',
      client_id: MICROSOFT_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'offline_access User.Read Files.Read',
    })
  })

  it('puts the tenant of the connection input in the authorize and token URLs', async () => {
    const connection = await connect('microsoft', { input: { tenant: 'contoso.onmicrosoft.com' } })
    expect(`${connection.authorizeUrl.origin}${connection.authorizeUrl.pathname}`).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize')
    const [exchange] = await microsoft.requests(connection.grant, 'token')
    expect(exchange?.url).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token')
  })

  it('exchanges the code with client_id and client_secret in the body and the PKCE verifier', async () => {
    const connection = await connect('microsoft')
    const [exchange, ...others] = await microsoft.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({
      method: 'POST',
      url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI },
    })
    expectClientAuthentication(exchange!, 'body', MICROSOFT_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('is connected, its rest-api-mapping test having read /v1.0/me from Graph with the Bearer token', async () => {
    const connection = await connect('microsoft')
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const calls = await microsoft.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://graph.microsoft.com/v1.0/me'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${await microsoft.latestAccessToken(connection.grant)}`)
  })

  it('refreshes with the refresh token that offline_access got, and uses the new access token afterwards', async () => {
    const connection = await connect('microsoft')
    const before = await microsoft.tokens(connection.grant)
    expect(before.refresh).toHaveLength(1)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const refreshes = (await microsoft.requests(connection.grant, 'token')).filter((request) => request.form?.['grant_type'] === 'refresh_token')
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]?.form?.['refresh_token']).toBe(before.refresh[0]?.value)
    expectClientAuthentication(refreshes[0]!, 'body', MICROSOFT_CLIENT)
    const latest = await microsoft.latestAccessToken(connection.grant)
    expect(latest).not.toBe(before.access[0]?.value)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
  })

  it('proxies a Graph call with the Bearer token', async () => {
    const connection = await connect('microsoft')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/me/drive' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ driveType: 'business', owner: { user: { id: MICROSOFT_USER.id } } })
    const call = (await microsoft.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/me/drive' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await microsoft.latestAccessToken(connection.grant)}`)
  })
})
