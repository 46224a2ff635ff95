import { describe, expect, it } from 'vitest'
import { oauth1Authorization, signedAuthorization, type OAuth1Keys } from '../../src/oauth1/authorization-header.ts'
import { sign, signingKey } from '../../src/oauth1/signature.ts'
import { requestParameters, signatureBaseString } from '../../src/oauth1/signature-base-string.ts'
import { independentSignature, parseOAuthHeader } from '../setup/oauth1-provider.ts'

/** The client and token credentials of RFC 5849 section 1.2 (and OAuth Core 1.0 Appendix A). */
const PHOTOS_KEYS: OAuth1Keys = {
  consumerKey: 'dpf43f3p2l4k3l03',
  consumerSecret: 'kd94hf93k423kf44',
  token: 'nnch734d00sl2jdk',
  tokenSecret: 'pfkkdhi9sl3r4s00',
  signatureMethod: 'HMAC-SHA1',
}
const PHOTOS_URL = 'http://photos.example.net/photos?file=vacation.jpg&size=original'

describe('S23 RFC 5849 worked examples', () => {
  it('section 1.2: the photos request signs to MdpQcU8iPSUjWoN/UDMsK2sui9I=', async () => {
    // Section 1.2 sends no oauth_version; its header's realm="Photos" is not signed.
    const url = new URL(PHOTOS_URL)
    const parameters = [
      ...requestParameters(url, null),
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ] as const
    const baseString = signatureBaseString('GET', url, parameters)
    expect(baseString).toBe(
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03' +
        '%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal',
    )
    expect(await sign('HMAC-SHA1', baseString, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=')
  })

  it('the photos request of OAuth Core 1.0 Appendix A (nonce kllo9940pd9333jh) gives its header, signature tR3+Ty81lMeYAr/Fid0kMTYa/WM=', async () => {
    const header = await oauth1Authorization({ method: 'GET', url: PHOTOS_URL, formBody: null }, PHOTOS_KEYS, { nonce: 'kllo9940pd9333jh', timestamp: '1191242096' })
    expect(header).toBe(
      'OAuth oauth_consumer_key="dpf43f3p2l4k3l03", oauth_nonce="kllo9940pd9333jh", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1191242096", oauth_token="nnch734d00sl2jdk", oauth_version="1.0"',
    )
  })

  it('section 1.2 PLAINTEXT: the temporary-credentials request signs to kd94hf93k423kf44& (no token secret yet)', async () => {
    const keys: OAuth1Keys = { ...PHOTOS_KEYS, token: null, tokenSecret: null, signatureMethod: 'PLAINTEXT' }
    const header = await signedAuthorization(
      { method: 'POST', url: 'https://photos.example.net/initiate', formBody: null },
      keys,
      { oauth_callback: 'http://printer.example.com/ready' },
      { nonce: 'wIjqoS', timestamp: '137131200' },
    )
    const parameters = parseOAuthHeader(header)
    expect(parameters?.['oauth_signature']).toBe('kd94hf93k423kf44&')
    expect(header).toContain('oauth_signature="kd94hf93k423kf44%26"')
    expect(header).toContain('oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready"')
  })

  it('section 1.2 PLAINTEXT: the token request signs to kd94hf93k423kf44&hdhd0244k9j7ao03', async () => {
    const keys: OAuth1Keys = { ...PHOTOS_KEYS, token: 'hh5s93j4hdidpola', tokenSecret: 'hdhd0244k9j7ao03', signatureMethod: 'PLAINTEXT' }
    const header = await signedAuthorization(
      { method: 'POST', url: 'https://photos.example.net/token', formBody: null },
      keys,
      { oauth_verifier: 'hfdp7dh39dks9884' },
      { nonce: 'walatlh', timestamp: '137131201' },
    )
    expect(header).toContain('oauth_signature="kd94hf93k423kf44%26hdhd0244k9j7ao03"')
    expect(header).toContain('oauth_verifier="hfdp7dh39dks9884"')
    expect(header).toContain('oauth_token="hh5s93j4hdidpola"')
  })

  it('section 3.4.4: the PLAINTEXT key percent-encodes both secrets and keeps the & without a token secret', () => {
    expect(signingKey('a&b c', null)).toBe('a%26b%20c&')
    expect(signingKey('kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe('kd94hf93k423kf44&pfkkdhi9sl3r4s00')
  })
})

/** A request as the provider receives it, for the independent check by the oauth-1.0a package. */
function received(method: string, url: string, formBody: string | null, header: string) {
  const parsed = new URL(url)
  const oauth = parseOAuthHeader(header)
  if (oauth === null) throw new Error(`not an OAuth header: ${header}`)
  return {
    method,
    baseUrl: `${parsed.protocol}//${parsed.host}${parsed.pathname}`,
    parameters: [...parsed.searchParams, ...new URLSearchParams(formBody ?? '')],
    oauth,
  }
}

const CROSS_CHECK_KEYS: Omit<OAuth1Keys, 'signatureMethod'> = {
  consumerKey: 'consumer key/with:odd chars',
  consumerSecret: 'co&ns+umer se:cr%t~*',
  token: 'token ü+/=',
  tokenSecret: "t!ok'en*(sec)ret",
}

const CROSS_CHECK_REQUESTS: Array<{ name: string; method: string; url: string; formBody: string | null }> = [
  { name: 'a GET without query', method: 'GET', url: 'https://api.example.com/1/me', formBody: null },
  {
    name: 'a GET with repeated, reserved and non-ASCII query values',
    method: 'GET',
    url: 'https://api.example.com/search?q=caf%C3%A9+au+lait&tag=b&tag=a&x=%2A%21&empty=',
    formBody: null,
  },
  {
    name: 'a POST with a form body',
    method: 'POST',
    url: 'https://api.example.com/statuses/update?include_entities=true',
    formBody: 'status=Hello+Ladies+%2B+Gentlemen%2C+a+signed+OAuth+request%21&z=1',
  },
  { name: 'a lower-case method on a non-default port', method: 'put', url: 'https://API.example.com:8443/a%20b/c?d=e', formBody: 'f=g' },
]

describe('S23 the signer agrees with the oauth-1.0a package (independent implementation)', () => {
  for (const signatureMethod of ['HMAC-SHA256', 'HMAC-SHA1', 'PLAINTEXT'] as const) {
    it.each(CROSS_CHECK_REQUESTS)(`${signatureMethod}: $name`, async ({ method, url, formBody }) => {
      const keys: OAuth1Keys = { ...CROSS_CHECK_KEYS, signatureMethod }
      const header = await oauth1Authorization({ method, url, formBody }, keys)
      const request = received(method.toUpperCase(), url, formBody, header)
      expect(request.oauth['oauth_signature_method']).toBe(signatureMethod)
      expect(request.oauth['oauth_signature']).toBe(independentSignature(request, { key: keys.consumerKey, secret: keys.consumerSecret }, keys.tokenSecret ?? ''))
    })
  }

  it('HMAC-SHA256 without a token (request-token request) also agrees', async () => {
    const keys: OAuth1Keys = { ...CROSS_CHECK_KEYS, token: null, tokenSecret: null, signatureMethod: 'HMAC-SHA256' }
    const url = 'https://api.example.com/oauth/request_token'
    const header = await signedAuthorization({ method: 'POST', url, formBody: null }, keys, { oauth_callback: 'https://latchkey.test/oauth/callback' })
    const request = received('POST', url, null, header)
    expect(request.oauth['oauth_token']).toBeUndefined()
    expect(request.oauth['oauth_signature']).toBe(independentSignature(request, { key: keys.consumerKey, secret: keys.consumerSecret }, ''))
  })

  it('a changed parameter no longer verifies', async () => {
    const keys: OAuth1Keys = { ...CROSS_CHECK_KEYS, signatureMethod: 'HMAC-SHA256' }
    const header = await oauth1Authorization({ method: 'GET', url: 'https://api.example.com/x?a=1', formBody: null }, keys)
    const request = received('GET', 'https://api.example.com/x?a=2', null, header)
    expect(request.oauth['oauth_signature']).not.toBe(independentSignature(request, { key: keys.consumerKey, secret: keys.consumerSecret }, keys.tokenSecret ?? ''))
  })

  it('draws a fresh nonce and a current timestamp for every request', async () => {
    const keys: OAuth1Keys = { ...CROSS_CHECK_KEYS, signatureMethod: 'HMAC-SHA1' }
    const request = { method: 'GET', url: 'https://api.example.com/x', formBody: null }
    const [first, second] = await Promise.all([oauth1Authorization(request, keys), oauth1Authorization(request, keys)])
    const a = parseOAuthHeader(first)
    const b = parseOAuthHeader(second)
    expect(a?.['oauth_nonce']).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a?.['oauth_nonce']).not.toBe(b?.['oauth_nonce'])
    expect(Math.abs(Number(a?.['oauth_timestamp']) - Date.now() / 1000)).toBeLessThan(5)
  })
})
