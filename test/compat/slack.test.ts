/**
 * Slack's connector (test/compat/connectors/slack/), unchanged, against the Slack emulator:
 * comma-separated scopes and user_scope through `extra`, token_type "bot", HTTP Basic client
 * authentication, rotating refresh tokens, and `{ok: false, error: "token_expired"}` answered
 * with HTTP 200 mapped by a responseHandler onto a refresh and one retry.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { SLACK_CLIENT } from './emulator/slack.ts'
import { expectAuthorizeUrl, expectClientAuthentication, expectPkceVerifier, REDIRECT_URI, S256_CHALLENGE, STATE } from './expectations.ts'

const slack = new EmulatorControl('slack')

afterEach(expectNoUnexpectedOutbound)

describe('Slack', () => {
  it('is compiled into the registry', () => {
    expectCompiled('slack')
  })

  it('sends the user to Slack with comma-separated bot scopes in scope and user scopes in user_scope', async () => {
    const { authorizeUrl } = await startConnect('slack')
    expectAuthorizeUrl(authorizeUrl, 'https://slack.com/oauth/v2/authorize', {
      response_type: 'code',
      client_id: SLACK_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      code_challenge: S256_CHALLENGE,
      code_challenge_method: 'S256',
      scope: 'channels:read,chat:write',
      user_scope: 'search:read',
    })
  })

  it('exchanges the code at oauth.v2.access with HTTP Basic client authentication and the PKCE verifier', async () => {
    const connection = await connect('slack')
    const [exchange, ...others] = await slack.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({ method: 'POST', url: 'https://slack.com/api/oauth.v2.access', form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI } })
    expectClientAuthentication(exchange!, 'basic', SLACK_CLIENT)
    await expectPkceVerifier(exchange!, connection.authorizeUrl)
  })

  it('stores the bot token (token_type "bot") and tests the connection with auth.test through the API client', async () => {
    const connection = await connect('slack')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
    const [firstToken] = (await slack.tokens(connection.grant)).access
    const calls = await slack.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /api/auth.test'])
    expect(calls[0]?.headers['authorization']).toBe(`Bearer ${firstToken?.value}`)
    expect(await latchkey.getAccessToken(connection.tenant, connection.connectionId)).toMatchObject({ accessToken: firstToken?.value })
  })

  it('refreshes with the rotating refresh token and uses the new access token afterwards', async () => {
    const connection = await connect('slack')
    const before = await slack.tokens(connection.grant)
    await latchkey.refresh(connection.tenant, connection.connectionId)

    const [, refresh] = await slack.requests(connection.grant, 'token')
    expect(refresh?.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: before.refresh[0]?.value })
    expectClientAuthentication(refresh!, 'basic', SLACK_CLIENT)
    const after = await slack.tokens(connection.grant)
    expect(after.refresh.map((token) => token.retired)).toEqual([true, false])
    const latest = await slack.latestAccessToken(connection.grant)
    expect(latest).not.toBe(before.access[0]?.value)
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(latest)
  })

  it("proxies a Web API call with the Bearer token and hands back Slack's answer", async () => {
    const connection = await connect('slack')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/conversations.list' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, channels: [{ name: 'general' }] })
    const calls = await slack.requests(connection.grant, 'api')
    expect(calls.at(-1)).toMatchObject({ method: 'GET', url: 'https://slack.com/api/conversations.list' })
    expect(calls.at(-1)?.headers['authorization']).toBe(`Bearer ${await slack.latestAccessToken(connection.grant)}`)
  })

  it('maps HTTP 200 {ok: false, error: "token_expired"} to access_token_expired: one refresh, then auth.test again with the new token', async () => {
    const connection = await connect('slack')
    await slack.expireAccessTokens(connection.grant)
    const summary = await latchkey.testConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })

    const log = await slack.log(connection.grant)
    const afterConnect = log.slice(log.findIndex((entry) => entry.endpoint === 'api') + 1)
    expect(afterConnect.map((entry) => `${entry.endpoint} ${entry.form?.['grant_type'] ?? entry.path}`)).toEqual([
      'api /api/auth.test',
      'token refresh_token',
      'api /api/auth.test',
    ])
    const [first, second] = (await slack.tokens(connection.grant)).access
    expect(afterConnect[0]?.headers['authorization']).toBe(`Bearer ${first?.value}`)
    expect(afterConnect[2]?.headers['authorization']).toBe(`Bearer ${second?.value}`)
  })
})
