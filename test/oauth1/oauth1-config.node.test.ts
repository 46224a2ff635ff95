import { describe, expect, it } from 'vitest'
import { isLatchkeyError } from '../../src/errors.ts'
import { validateOAuth1Config, type OAuth1ConfigContext } from '../../src/oauth1/oauth1-config.ts'

const CONTEXT: OAuth1ConfigContext = { connectorKey: 'trello-like', connectorParameters: { consumerKey: 'k' }, allowInsecureLoopback: false }
const SECRET = 'do-not-quote-this-secret'
const VALID = {
  consumerKey: 'key',
  consumerSecret: SECRET,
  requestTokenUri: 'https://provider.example/1/OAuthGetRequestToken',
  authorizeUri: 'https://provider.example/1/OAuthAuthorizeToken',
  tokenUri: 'https://provider.example/1/OAuthGetAccessToken',
}

function failure(raw: unknown, context: OAuth1ConfigContext = CONTEXT): { code: string; message: string } {
  try {
    validateOAuth1Config(raw, context)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    expect(error.message).not.toContain(SECRET)
    return { code: error.code, message: error.message }
  }
  throw new Error('expected validateOAuth1Config to throw')
}

describe('getOAuthConfig of an oauth1 connector', () => {
  it('accepts the documented fields, HMAC-SHA1 and no extra by default', () => {
    expect(validateOAuth1Config(VALID, CONTEXT)).toEqual({ ...VALID, signatureMethod: 'HMAC-SHA1', extra: {} })
  })

  it('keeps signatureMethod and extra (as strings)', () => {
    const config = validateOAuth1Config({ ...VALID, signatureMethod: 'HMAC-SHA256', extra: { scope: 'read,write', expiration: 'never', days: 30, skip: null } }, CONTEXT)
    expect(config.signatureMethod).toBe('HMAC-SHA256')
    expect(config.extra).toEqual({ scope: 'read,write', expiration: 'never', days: '30' })
  })

  it.each(['consumerKey', 'consumerSecret', 'requestTokenUri', 'authorizeUri', 'tokenUri'])('refuses a missing %s, naming it', (field) => {
    const { code, message } = failure({ ...VALID, [field]: undefined })
    expect(code).toBe('connector_misconfigured')
    expect(message).toContain(`no ${field}`)
  })

  it('names the Worker variable of a consumer secret that is not set', () => {
    expect(failure({ ...VALID, consumerSecret: undefined }).message).toContain('TRELLO_LIKE__CONSUMER_SECRET')
  })

  it.each([
    ['requestTokenUri', 'http://provider.example/request'],
    ['authorizeUri', 'ftp://provider.example/authorize'],
    ['tokenUri', 'https://user:pass@provider.example/token'],
    ['tokenUri', 'https://provider.example/token#frag'],
    ['tokenUri', '/relative/token'],
  ])('S10 refuses %s = %s', (field, value) => {
    const { code, message } = failure({ ...VALID, [field]: value })
    expect(code).toBe('connector_misconfigured')
    expect(message).toContain(field)
  })

  it('S10 allows http on loopback hosts only with allowInsecureLoopback', () => {
    const loopback = { ...VALID, requestTokenUri: 'http://127.0.0.1:9999/s/x/request_token' }
    expect(failure(loopback).code).toBe('connector_misconfigured')
    expect(validateOAuth1Config(loopback, { ...CONTEXT, allowInsecureLoopback: true }).requestTokenUri).toBe(loopback.requestTokenUri)
  })

  it.each(['RSA-SHA1', 'hmac-sha1', 42])('refuses signatureMethod %j', (signatureMethod) => {
    expect(failure({ ...VALID, signatureMethod }).message).toContain('signatureMethod')
  })

  it('refuses extra.oauth_token (Latchkey sets the request token) and non-scalar extras', () => {
    expect(failure({ ...VALID, extra: { oauth_token: 'x' } }).message).toContain('extra.oauth_token')
    expect(failure({ ...VALID, extra: { scope: ['a'] } }).message).toContain('extra.scope')
    expect(failure({ ...VALID, extra: 'scope=a' }).message).toContain('extra')
  })

  it('refuses a result that is not an object, and a consumer secret that is not a string', () => {
    expect(failure(null).code).toBe('connector_misconfigured')
    expect(failure({ ...VALID, consumerSecret: 12 }).message).toContain('consumerSecret that is not a string')
  })
})
