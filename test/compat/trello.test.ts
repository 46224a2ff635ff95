/**
 * Trello's connector (connectors/trello/), unchanged, against the Trello emulator: OAuth 1.0a
 * (request token, authorize with Trello's name/scope/expiration, verifier, access token), and
 * API calls with `key` and `token` in the query as Trello documents, signed as well. The
 * emulator recomputes every signature with the `oauth-1.0a` npm package from what it received.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { approveAtProvider, connect, expectCompiled, finishAtLatchkey, latchkey, latchkeyErrorCode, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { TRELLO_CONSUMER, type TrelloLoggedRequest } from './emulator/trello-app.ts'
import { expectAuthorizeUrl, REDIRECT_URI } from './expectations.ts'
import { errorCodeOf } from '../support/error-code.ts'

const trello = new EmulatorControl('trello')

afterEach(expectNoUnexpectedOutbound)

async function requestsOf(grant: string): Promise<TrelloLoggedRequest[]> {
  return (await trello.log(grant)) as TrelloLoggedRequest[]
}

/** The protocol parameters every signed request carries (RFC 5849 §3.1), besides its own. */
function signedWith(own: Record<string, string | RegExp>): Record<string, unknown> {
  return {
    oauth_consumer_key: TRELLO_CONSUMER.key,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: expect.stringMatching(/^\d{10}$/),
    oauth_nonce: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
    oauth_version: '1.0',
    oauth_signature: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
    ...Object.fromEntries(Object.entries(own).map(([name, value]) => [name, typeof value === 'string' ? value : expect.stringMatching(value)])),
  }
}

describe('Trello (OAuth 1.0a)', () => {
  it('is compiled into the registry', () => {
    expectCompiled('trello')
  })

  it('S23 gets a request token signed with the consumer secret, oauth_callback set to the one callback URL', async () => {
    const { browser, authorizeUrl } = await startConnect('trello')
    const { grant } = await approveAtProvider(browser, authorizeUrl)
    const [requestToken] = await requestsOf(grant)
    expect(requestToken).toMatchObject({ endpoint: 'token', method: 'POST', url: 'https://trello.com/1/OAuthGetRequestToken', signature: 'valid', problem: null })
    expect(requestToken?.oauth).toEqual(signedWith({ oauth_callback: REDIRECT_URI }))
    expect(requestToken?.oauth?.['oauth_token']).toBeUndefined()
  })

  it('sends the user to Trello with the request token, the app name, scope read,write and expiration never', async () => {
    const { browser, authorizeUrl } = await startConnect('trello')
    expectAuthorizeUrl(authorizeUrl, 'https://trello.com/1/OAuthAuthorizeToken', {
      oauth_token: /^[0-9a-f]{32}$/,
      // TRELLO__APP_NAME is not set: the parametersSchema default.
      name: 'Latchkey',
      scope: 'read,write',
      expiration: 'never',
    })
    const { grant } = await approveAtProvider(browser, authorizeUrl)
    expect((await trello.grantInfo(grant)).data['requestToken']).toBe(authorizeUrl.searchParams.get('oauth_token'))
  })

  it('S23 exchanges the verifier for an access token, signed with the request token and its secret', async () => {
    const connection = await connect('trello')
    const tokenRequests = (await requestsOf(connection.grant)).filter((entry) => entry.endpoint === 'token')
    expect(tokenRequests.map((entry) => `${entry.method} ${entry.url} ${entry.signature}`)).toEqual([
      'POST https://trello.com/1/OAuthGetRequestToken valid',
      'POST https://trello.com/1/OAuthGetAccessToken valid',
    ])
    expect(tokenRequests[1]?.oauth).toEqual(
      signedWith({ oauth_token: connection.authorizeUrl.searchParams.get('oauth_token') ?? '', oauth_verifier: connection.callbackUrl.searchParams.get('oauth_verifier') ?? '' }),
    )
  })

  it('S23 tests the connection with GET /1/members/me: key and token in the query, and a valid OAuth signature over them', async () => {
    const connection = await connect('trello')
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toMatchObject({ connectorKey: 'trello', status: 'connected', lastError: null, testResult: { ok: true } })

    const [accessToken] = (await trello.tokens(connection.grant)).access
    const calls = (await requestsOf(connection.grant)).filter((entry) => entry.endpoint === 'api')
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/1/members/me', signature: 'valid', problem: null })
    expect(calls[0]?.query).toEqual({ fields: 'id,username', key: TRELLO_CONSUMER.key, token: accessToken?.value })
    expect(calls[0]?.oauth).toEqual(signedWith({ oauth_token: accessToken?.value ?? '' }))
  })

  it("proxies an API call, signed, with key and token in the query, and hands back Trello's answer", async () => {
    const connection = await connect('trello')
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/members/me/boards?filter=open' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([expect.objectContaining({ name: 'Compat Board' })])

    const [accessToken] = (await trello.tokens(connection.grant)).access
    const last = (await requestsOf(connection.grant)).at(-1)
    expect(last).toMatchObject({ endpoint: 'api', method: 'GET', path: '/1/members/me/boards', signature: 'valid', problem: null })
    expect(last?.query).toEqual({ filter: 'open', key: TRELLO_CONSUMER.key, token: accessToken?.value })
    expect(last?.oauth).toEqual(signedWith({ oauth_token: accessToken?.value ?? '' }))
  })

  it('S23 signs each request afresh: no nonce is used twice', async () => {
    const connection = await connect('trello')
    for (let call = 0; call < 3; call++) {
      expect((await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/members/me' })).status).toBe(200)
    }
    const nonces = (await requestsOf(connection.grant)).map((entry) => entry.oauth?.['oauth_nonce']).filter((nonce) => nonce !== undefined)
    expect(nonces).toHaveLength(6)
    expect(new Set(nonces).size).toBe(6)
  })

  it('has no bearer token to hand out (every request must be signed): getAccessToken is refused', async () => {
    const connection = await connect('trello')
    expect(await latchkeyErrorCode(() => latchkey.getAccessToken(connection.tenant, connection.connectionId))).toBe('invalid_request')
  })

  it('S23 refuses a replayed callback before any token request: one access-token exchange, one connection', async () => {
    const { browser, tenant, authorizeUrl } = await startConnect('trello')
    const { callbackUrl, grant } = await approveAtProvider(browser, authorizeUrl)
    await finishAtLatchkey(browser, callbackUrl)
    const replay = await browser.get(callbackUrl)
    // The finished flow cleared this browser's binding cookie, so the replay fails that check first.
    expect(await errorCodeOf(replay)).toBe('state_browser_mismatch')
    expect((await requestsOf(grant)).filter((entry) => entry.path === '/1/OAuthGetAccessToken')).toHaveLength(1)
    expect((await latchkey.listConnections(tenant)).connections).toHaveLength(1)
  })

  it('a token revoked at Trello fails the connection test', async () => {
    const connection = await connect('trello')
    await trello.call('revoke', { grant: connection.grant })
    const summary = await latchkey.testConnection(connection.tenant, connection.connectionId)
    expect(summary.testResult).toMatchObject({ ok: false })
    expect((await requestsOf(connection.grant)).at(-1)).toMatchObject({ endpoint: 'api', problem: 'invalid token' })
  })
})
