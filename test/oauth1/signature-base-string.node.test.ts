import { describe, expect, it } from 'vitest'
import { baseStringUri, normalizeParameters, requestParameters, signatureBaseString } from '../../src/oauth1/signature-base-string.ts'

/** The request of RFC 5849 section 3.4.1.1 (and 3.1), with its protocol parameters (realm left out, section 3.4.1.3.1). */
const SECTION_3_4_1_URL = new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b')
const SECTION_3_4_1_BODY = 'c2&a3=2+q'
const SECTION_3_4_1_PROTOCOL: Array<[string, string]> = [
  ['oauth_consumer_key', '9djdj82h48djs9d2'],
  ['oauth_token', 'kkk9d7dh3k39sjv7'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131201'],
  ['oauth_nonce', '7d8f3e4a'],
]

describe('S23 RFC 5849 section 3.4.1 signature base string', () => {
  it('matches the base string of section 3.4.1.1 exactly', () => {
    const parameters = [...requestParameters(SECTION_3_4_1_URL, SECTION_3_4_1_BODY), ...SECTION_3_4_1_PROTOCOL]
    expect(signatureBaseString('post', SECTION_3_4_1_URL, parameters)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
        '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
        'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
        'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
        '9d7dh3k39sjv7',
    )
  })

  it('collects and decodes the parameters as section 3.4.1.3.1 lists them', () => {
    expect(requestParameters(SECTION_3_4_1_URL, SECTION_3_4_1_BODY)).toEqual([
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['c2', ''],
      ['a3', '2 q'],
    ])
  })

  it('normalizes the parameters as section 3.4.1.3.2 shows', () => {
    const parameters = [...requestParameters(SECTION_3_4_1_URL, SECTION_3_4_1_BODY), ...SECTION_3_4_1_PROTOCOL]
    expect(normalizeParameters(parameters)).toBe(
      'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj' +
        'dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1' +
        '&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7',
    )
  })

  it.each([
    // The two examples of section 3.4.1.2.
    ['HTTP://EXAMPLE.COM:80/r%20v/X?id=123', 'http://example.com/r%20v/X'],
    ['https://www.example.net:8080/?q=1', 'https://www.example.net:8080/'],
    ['https://Api.Example.com:443/a/b#fragment', 'https://api.example.com/a/b'],
    ['http://example.com', 'http://example.com/'],
    ['http://127.0.0.1:8787/s/x/api', 'http://127.0.0.1:8787/s/x/api'],
  ])('base string URI of %s is %s (section 3.4.1.2)', (url, expected) => {
    expect(baseStringUri(new URL(url))).toBe(expected)
  })

  it('sorts by encoded name, then by encoded value, in byte order', () => {
    const pairs: Array<[string, string]> = [
      ['b', '2'],
      ['a', 'z'],
      ['a', 'Z'],
      ['a', '~'],
      ['a', '%'],
      ['A', '1'],
      ['a_b', ''],
      ['a b', ''],
    ]
    // %25 < Z < z < ~ ; "A" < "a" < "a%20b" < "a_b" < "b".
    expect(normalizeParameters(pairs)).toBe('A=1&a=%25&a=Z&a=z&a=~&a%20b=&a_b=&b=2')
  })

  it('signs a query oauth_signature never, and a form body only when it is one', () => {
    const url = new URL('https://api.example.com/x?oauth_signature=forged&q=1')
    expect(requestParameters(url, null)).toEqual([['q', '1']])
    expect(requestParameters(url, 'text=a+b%2Bc')).toEqual([
      ['q', '1'],
      ['text', 'a b+c'],
    ])
  })
})
