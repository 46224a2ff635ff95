/**
 * Intercom's connector (test/compat/connectors/intercom/), unchanged, against the Intercom
 * emulator: no scopes and no PKCE in the authorize URL, client credentials in the body of the
 * eagle/token request, a token that never expires and no refresh token (`noRefreshToken`), the
 * `Intercom-Version` header on every API call, and the region input (`ui.schema`) pinning the
 * API host.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, latchkeyErrorCode, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { INTERCOM_ADMIN, INTERCOM_CLIENT } from './emulator/intercom.ts'
import { expectAuthorizeUrl, expectClientAuthentication, REDIRECT_URI, STATE } from './expectations.ts'

const intercom = new EmulatorControl('intercom')

afterEach(expectNoUnexpectedOutbound)

describe('Intercom', () => {
  it('is compiled into the registry', () => {
    expectCompiled('intercom')
  })

  it('sends the user to Intercom with neither scope nor PKCE challenge', async () => {
    const { authorizeUrl } = await startConnect('intercom')
    expectAuthorizeUrl(authorizeUrl, 'https://app.intercom.com/oauth', {
      response_type: 'code',
      client_id: INTERCOM_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
    })
  })

  it('exchanges the code at auth/eagle/token with client_id and client_secret in the body', async () => {
    const connection = await connect('intercom')
    const [exchange, ...others] = await intercom.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://api.intercom.io/auth/eagle/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', INTERCOM_CLIENT)
    expect(exchange?.form?.['code_verifier'], 'a code_verifier without a challenge').toBeUndefined()
  })

  it('stores a token without expiry and tests the connection with GET /me and the Intercom-Version header', async () => {
    const connection = await connect('intercom')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true }, expiresAt: null })
    const token = await intercom.latestAccessToken(connection.grant)
    const calls = await intercom.requests(connection.grant, 'api')
    expect(calls.map((call) => call.url)).toEqual(['https://api.intercom.io/me'])
    expect(calls[0]?.headers).toMatchObject({ authorization: `Bearer ${token}`, 'intercom-version': '2.14', accept: 'application/json' })
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ access_token: token, token: token, token_type: 'Bearer' })
    expect(credentials['refresh_token']).toBeUndefined()
    expect(await latchkey.getAccessToken(connection.tenant, connection.connectionId)).toEqual({ accessToken: token, expiresAt: null })
  })

  it('refuses a refresh with refresh_failed and never calls the token endpoint again (noRefreshToken)', async () => {
    const connection = await connect('intercom')
    expect(await latchkeyErrorCode(() => latchkey.refresh(connection.tenant, connection.connectionId))).toBe('refresh_failed')
    expect(await intercom.requests(connection.grant, 'token')).toHaveLength(1)
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary.status).toBe('connected')
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(await intercom.latestAccessToken(connection.grant))
  })

  it("hands back Intercom's 401 for an uninstalled app without trying to refresh", async () => {
    const connection = await connect('intercom')
    await intercom.call('revoke', { grant: connection.grant })
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/admins' })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ type: 'error.list', errors: [{ code: 'unauthorized' }] })
    expect((await intercom.log(connection.grant)).map((entry) => `${entry.endpoint} ${entry.path}`)).toEqual([
      'authorize /oauth',
      'token /auth/eagle/token',
      'api /me',
      'api /admins',
    ])
  })

  it('proxies a REST call with the Bearer token and the pinned API version', async () => {
    const connection = await connect('intercom')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/admins' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ type: 'admin.list', admins: [{ id: INTERCOM_ADMIN.id }] })
    const call = (await intercom.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://api.intercom.io/admins' })
    expect(call?.headers).toMatchObject({ authorization: `Bearer ${await intercom.latestAccessToken(connection.grant)}`, 'intercom-version': '2.14' })
  })

  it('sends every API call to the regional host the connection input names (ui.schema), the token still from api.intercom.io', async () => {
    const connection = await connect('intercom', { input: { region: 'eu' } })
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect((await intercom.requests(connection.grant, 'token')).map((call) => call.host)).toEqual(['api.intercom.io'])
    await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/admins' })
    expect((await intercom.requests(connection.grant, 'api')).map((call) => call.url)).toEqual(['https://api.eu.intercom.io/me', 'https://api.eu.intercom.io/admins'])
  })
})
