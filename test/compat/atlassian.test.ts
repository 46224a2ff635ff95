/**
 * Atlassian's connector (test/compat/connectors/atlassian/), unchanged, against the Atlassian
 * emulator: `audience` and `prompt` through `extra`, the accessible-resources lookup in
 * getCredentialsFromAccessTokenResponse storing the cloud id, a baseUri under
 * /ex/jira/{cloudId}, rotating refresh tokens, and a test through `externalApiClient`.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { ATLASSIAN_CLIENT } from './emulator/atlassian.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const atlassian = new EmulatorControl('atlassian')

afterEach(expectNoUnexpectedOutbound)

/** The cloud id of the site the emulator granted `grant` (what accessible-resources answers). */
async function cloudIdOf(grant: string): Promise<string> {
  return String((await atlassian.grantInfo(grant)).data['cloudId'])
}

describe('Atlassian', () => {
  it('is compiled into the registry', () => {
    expectCompiled('atlassian')
  })

  it('sends the user to Atlassian with audience=api.atlassian.com and prompt=consent', async () => {
    const { authorizeUrl } = await startConnect('atlassian')
    expectAuthorizeUrl(authorizeUrl, 'https://auth.atlassian.com/authorize', {
      response_type: 'code',
      client_id: ATLASSIAN_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'read:jira-user read:jira-work offline_access',
      audience: 'api.atlassian.com',
      prompt: 'consent',
    })
  })

  it('exchanges the code with client credentials in the body and the PKCE verifier', async () => {
    const connection = await connect('atlassian')
    const [exchange, ...others] = await atlassian.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://auth.atlassian.com/oauth/token', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'body', ATLASSIAN_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('looks up the cloud id after the exchange and tests the connection under /ex/jira/{cloudId}', async () => {
    const connection = await connect('atlassian')
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const [firstToken] = (await atlassian.tokens(connection.grant)).access
    const calls = await atlassian.requests(connection.grant, 'api')
    const cloudId = await cloudIdOf(connection.grant)
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET /oauth/token/accessible-resources', `GET /ex/jira/${cloudId}/rest/api/3/myself`])
    for (const call of calls) expect(call.headers['authorization']).toBe(`Bearer ${firstToken?.value}`)
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials['cloudId']).toBe(cloudId)
  })

  it('refreshes with the rotating refresh token, keeps the cloud id, and uses the new access token afterwards', async () => {
    const connection = await connect('atlassian')
    const before = await atlassian.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const refreshes = (await atlassian.requests(connection.grant, 'token')).filter((request) => request.form?.['grant_type'] === 'refresh_token')
    expect(refreshes).toHaveLength(1)
    expect(refreshes[0]?.form?.['refresh_token']).toBe(before.refresh[0]?.value)
    expectClientAuthentication(refreshes[0]!, 'body', ATLASSIAN_CLIENT)
    expect((await atlassian.tokens(connection.grant)).refresh.map((token) => token.retired)).toEqual([true, false])
    const latest = await atlassian.latestAccessToken(connection.grant)
    expect(latest).not.toBe(before.access[0]?.value)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
    expect((await latchkey.getCredentials(connection.tenant, connection.connectionId))['cloudId']).toBe(await cloudIdOf(connection.grant))
  })

  it('proxies a Jira call to the site of the cloud id with the Bearer token', async () => {
    const connection = await connect('atlassian')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/rest/api/3/project/search' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ values: [{ key: 'COMPAT' }] })
    const call = (await atlassian.requests(connection.grant, 'api')).at(-1)
    expect(call?.url).toBe(`https://api.atlassian.com/ex/jira/${await cloudIdOf(connection.grant)}/rest/api/3/project/search`)
    expect(call?.headers['authorization']).toBe(`Bearer ${await atlassian.latestAccessToken(connection.grant)}`)
  })
})
