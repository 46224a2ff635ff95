/**
 * Asana's connector (test/compat/connectors/asana/), unchanged, against the Asana emulator:
 * client credentials in the body, PKCE, the user named under `data` of the token response and
 * kept by a custom getCredentialsFromTokenResponse that returns only what it needs (the expiry
 * must survive it), and refresh tokens that do not rotate (a refresh answer without one keeps the
 * stored one).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { ASANA_CLIENT, ASANA_EXPIRES_IN, ASANA_USER } from './emulator/asana.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const asana = new EmulatorControl('asana')

afterEach(expectNoUnexpectedOutbound)

describe('Asana', () => {
  it('is compiled into the registry', () => {
    expectCompiled('asana')
  })

  it('sends the user to Asana with an S256 challenge and no scope when none is configured', async () => {
    const { authorizeUrl } = await startConnect('asana')
    expectAuthorizeUrl(authorizeUrl, 'https://app.asana.com/-/oauth_authorize', {
      response_type: 'code',
      client_id: ASANA_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
    })
  })

  it('exchanges the code with client_id and client_secret in the body and the PKCE verifier', async () => {
    const connection = await connect('asana')
    const [exchange, ...others] = await asana.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://app.asana.com/-/oauth_token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', ASANA_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('stores the user of the token response (data.gid) and is connected after GET /api/1.0/users/me named the same user', async () => {
    const connection = await connect('asana')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const token = await asana.latestAccessToken(connection.grant)
    const calls = await asana.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://app.asana.com/api/1.0/users/me'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${token}`)
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ access_token: token, token_type: 'bearer', userGid: ASANA_USER.gid, userName: ASANA_USER.name, userEmail: ASANA_USER.email })
    expect(credentials).not.toHaveProperty('data')
  })

  it('keeps the access token expiry although getCredentialsFromTokenResponse returned no expiry field', async () => {
    const before = Date.now()
    const connection = await connect('asana')
    const after = Date.now()
    const { expiresAt } = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(expiresAt).toBeGreaterThanOrEqual(before + ASANA_EXPIRES_IN * 1000)
    expect(expiresAt).toBeLessThanOrEqual(after + ASANA_EXPIRES_IN * 1000)
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ expires_at: expiresAt })
  })

  it('refreshes with the same refresh token each time: Asana answers none and the stored one is kept', async () => {
    const connection = await connect('asana')
    const issued = await asana.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, firstRefresh, secondRefresh] = await asana.requests(connection.grant, 'token')
    expectClientAuthentication(firstRefresh!, 'body', ASANA_CLIENT)
    expect(firstRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: issued.refresh[0]?.value })
    expect(secondRefresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: issued.refresh[0]?.value })
    expect((await asana.tokens(connection.grant)).refresh).toHaveLength(1)
    const latest = await asana.latestAccessToken(connection.grant)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
    // The user fields of the first exchange survive the merge of the refresh answer.
    expect(await latchkey.getCredentials(connection.tenant, connection.connectionId)).toMatchObject({ access_token: latest, userGid: ASANA_USER.gid })
  })

  it('proxies an API call with the Bearer token', async () => {
    const connection = await connect('asana')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/workspaces' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ data: [{ gid: '12345', resource_type: 'workspace' }] })
    const call = (await asana.requests(connection.grant, 'api')).at(-1)
    expect(call).toMatchObject({ method: 'GET', url: 'https://app.asana.com/api/1.0/workspaces' })
    expect(call?.headers['authorization']).toBe(`Bearer ${await asana.latestAccessToken(connection.grant)}`)
  })
})
