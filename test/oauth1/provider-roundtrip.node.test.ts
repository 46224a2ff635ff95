/**
 * The OAuth 1.0a client (token requests and signer) against the test provider over real HTTP,
 * whose signature check is the oauth-1.0a package (S23). The Worker's flow is tested in
 * test/flow/oauth1-flow.test.ts; this runs the same protocol without the Worker, in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestProject } from 'vitest/node'
import { isLatchkeyError } from '../../src/errors.ts'
import { oauth1Authorization } from '../../src/oauth1/authorization-header.ts'
import type { OAuth1Config } from '../../src/oauth1/oauth1-config.ts'
import type { OAuth1SignatureMethod } from '../../src/oauth1/signature.ts'
import { clientKeys, requestTemporaryCredentials, requestTokenCredentials } from '../../src/oauth1/token-requests.ts'
import startProvider, { OAUTH1_CONSUMER_KEY, OAUTH1_CONSUMER_SECRET, type OAuth1LoggedRequest } from '../setup/oauth1-provider.ts'

const CALLBACK = 'https://latchkey.test/oauth/callback'
let origin = ''
let stop: () => Promise<void> = async () => {}

beforeAll(async () => {
  stop = await startProvider({ provide: (_key: string, value: string) => (origin = value) } as unknown as TestProject)
})
afterAll(() => stop())

function configFor(scenario: string, signatureMethod: OAuth1SignatureMethod, consumerSecret = OAUTH1_CONSUMER_SECRET): OAuth1Config {
  const base = `${origin}/s/${scenario}`
  return {
    consumerKey: OAUTH1_CONSUMER_KEY,
    consumerSecret,
    requestTokenUri: `${base}/request_token`,
    authorizeUri: `${base}/authorize`,
    tokenUri: `${base}/access_token`,
    signatureMethod,
    extra: {},
  }
}

/** The provider approves: the callback URL it redirects to. */
async function authorize(config: OAuth1Config, requestToken: string): Promise<URL> {
  const response = await fetch(`${config.authorizeUri}?oauth_token=${encodeURIComponent(requestToken)}`, { redirect: 'manual' })
  expect(response.status).toBe(302)
  return new URL(response.headers.get('Location') ?? '')
}

async function providerLog(scenario: string): Promise<{ requests: OAuth1LoggedRequest[]; counts: Record<string, number> }> {
  return (await (await fetch(`${origin}/s/${scenario}/_control/log`)).json()) as { requests: OAuth1LoggedRequest[]; counts: Record<string, number> }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (isLatchkeyError(error)) return error.code
    throw error
  }
  return 'no error'
}

describe('S23 the OAuth 1.0a client against a provider checked by the oauth-1.0a package', () => {
  for (const method of ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const) {
    it(`${method}: request token, authorize, access token, then signed GET and POST API calls`, async () => {
      const scenario = `rt-${crypto.randomUUID()}`
      const config = configFor(scenario, method)
      const temporary = await requestTemporaryCredentials(config, CALLBACK, 5000)
      const callback = await authorize(config, temporary.token)
      expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK)
      expect(callback.searchParams.get('oauth_token')).toBe(temporary.token)
      const verifier = callback.searchParams.get('oauth_verifier') ?? ''

      const tokens = await requestTokenCredentials(config, config.tokenUri, temporary, verifier, 5000)
      expect(tokens).toMatchObject({ user_id: 'user-1', screen_name: 'test-user' })
      const keys = clientKeys(config, tokens.oauth_token, tokens.oauth_token_secret)

      const getUrl = `${origin}/s/${scenario}/api/me?fields=id%2Cname&q=caf%C3%A9+%2A`
      const get = await fetch(getUrl, { headers: { Authorization: await oauth1Authorization({ method: 'GET', url: getUrl, formBody: null }, keys) } })
      expect(get.status).toBe(200)
      expect(await get.json()).toMatchObject({ ok: true, method: 'GET', signatureMethod: method, query: { fields: 'id,name', q: 'café *' } })

      const postUrl = `${origin}/s/${scenario}/api/statuses?include=1`
      const formBody = 'status=Hello+Ladies+%2B+Gentlemen%21&tag=b&tag=a'
      const post = await fetch(postUrl, {
        method: 'POST',
        headers: { Authorization: await oauth1Authorization({ method: 'POST', url: postUrl, formBody }, keys), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: formBody,
      })
      expect(post.status).toBe(200)
      expect(await post.json()).toMatchObject({ ok: true, method: 'POST', form: { status: 'Hello Ladies + Gentlemen!' } })

      const log = await providerLog(scenario)
      expect(log.requests.map((request) => request.problem)).toEqual([null, null, null, null, null])
    })
  }

  it('the provider refuses a wrong consumer secret: token_exchange_failed naming signature_invalid', async () => {
    const scenario = `rt-${crypto.randomUUID()}`
    const config = configFor(scenario, 'HMAC-SHA1', 'wrong secret')
    await expect(requestTemporaryCredentials(config, CALLBACK, 5000)).rejects.toThrow(/HTTP 401 \(oauth_problem=signature_invalid\)/)
  })

  it('a request token works once at the access-token endpoint, and a wrong verifier is refused', async () => {
    const scenario = `rt-${crypto.randomUUID()}`
    const config = configFor(scenario, 'HMAC-SHA1')
    const temporary = await requestTemporaryCredentials(config, CALLBACK, 5000)
    const verifier = (await authorize(config, temporary.token)).searchParams.get('oauth_verifier') ?? ''
    await requestTokenCredentials(config, config.tokenUri, temporary, verifier, 5000)
    expect(await codeOf(requestTokenCredentials(config, config.tokenUri, temporary, verifier, 5000))).toBe('token_exchange_failed')

    const second = await requestTemporaryCredentials(config, CALLBACK, 5000)
    await authorize(config, second.token)
    await expect(requestTokenCredentials(config, config.tokenUri, second, 'v_wrong', 5000)).rejects.toThrow(/verifier_invalid/)
    const problems = (await providerLog(scenario)).requests.map((request) => request.problem).filter((problem) => problem !== null)
    expect(problems).toEqual(['token_used', 'verifier_invalid'])
  })

  it('a request token without oauth_callback_confirmed=true (OAuth 1.0, not 1.0a) is refused', async () => {
    const scenario = `rt-${crypto.randomUUID()}`
    await fetch(`${origin}/s/${scenario}/_control/config`, { method: 'POST', body: JSON.stringify({ callbackConfirmed: false }) })
    await expect(requestTemporaryCredentials(configFor(scenario, 'HMAC-SHA1'), CALLBACK, 5000)).rejects.toThrow(/oauth_callback_confirmed/)
  })

  it('a replayed signed API request (same nonce and timestamp) is refused by the provider', async () => {
    const scenario = `rt-${crypto.randomUUID()}`
    const grant = (await (await fetch(`${origin}/s/${scenario}/_control/grant`, { method: 'POST' })).json()) as { oauth_token: string; oauth_token_secret: string }
    const keys = clientKeys(configFor(scenario, 'HMAC-SHA256'), grant.oauth_token, grant.oauth_token_secret)
    const url = `${origin}/s/${scenario}/api/me`
    const authorization = await oauth1Authorization({ method: 'GET', url, formBody: null }, keys)
    expect((await fetch(url, { headers: { Authorization: authorization } })).status).toBe(200)
    expect((await fetch(url, { headers: { Authorization: authorization } })).status).toBe(401)
    expect((await fetch(url, { headers: { Authorization: await oauth1Authorization({ method: 'GET', url, formBody: null }, keys) } })).status).toBe(200)
  })

  it('a token endpoint that cannot be reached fails with token_exchange_failed', async () => {
    const scenario = `rt-${crypto.randomUUID()}`
    // The unroutable port of a closed listener: a connection failure, reported without any URL.
    const config = { ...configFor(scenario, 'HMAC-SHA1'), requestTokenUri: 'http://127.0.0.1:9/request_token' }
    await expect(requestTemporaryCredentials(config, CALLBACK, 5000)).rejects.toThrow(/could not be reached|did not answer/)
  })
})
