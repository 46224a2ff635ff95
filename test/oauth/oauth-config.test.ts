import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../../src/errors.ts'
import { isLoopbackHost } from '../../src/loopback-host.ts'
import { validateOAuthConfig, type OAuthConfigContext } from '../../src/oauth/oauth-config.ts'

const CONTEXT: OAuthConfigContext = { connectorKey: 'acme', connectorParameters: { clientId: 'id' }, allowInsecureLoopback: false }
const BASE = { clientId: 'id', clientSecret: 's', authorizeUri: 'https://auth.example/authorize', tokenUri: 'https://auth.example/token' }

function codeOf(raw: unknown, context: OAuthConfigContext = CONTEXT): string | null {
  try {
    validateOAuthConfig(raw, context)
    return null
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'unexpected'
  }
}

describe('validateOAuthConfig', () => {
  it('fills the defaults of optional fields', () => {
    expect(validateOAuthConfig(BASE, CONTEXT)).toEqual({ ...BASE, scopes: [], noRefreshToken: false, skipPkce: false, extra: {} })
  })

  it('keeps the optional fields and the Latchkey extensions issuer and jwksUri', () => {
    const config = validateOAuthConfig(
      {
        ...BASE,
        scopes: ['a', 'b'],
        clientAuthLocation: 'headers',
        noRefreshToken: true,
        skipPkce: true,
        extra: { prompt: 'consent', max_age: 0, x: null },
        issuer: 'https://auth.example',
        jwksUri: 'https://auth.example/jwks',
      },
      CONTEXT,
    )
    expect(config).toMatchObject({
      scopes: ['a', 'b'],
      clientAuthLocation: 'headers',
      noRefreshToken: true,
      skipPkce: true,
      extra: { prompt: 'consent', max_age: '0' },
      issuer: 'https://auth.example',
      jwksUri: 'https://auth.example/jwks',
    })
  })

  it('accepts scopes as a space-separated string', () => {
    expect(validateOAuthConfig({ ...BASE, scopes: 'openid  email' }, CONTEXT).scopes).toEqual(['openid', 'email'])
  })

  it.each([
    ['https', 'https://auth.example/token', false, null],
    ['http on a public host', 'http://auth.example/token', true, 'connector_misconfigured'],
    ['http on loopback without the setting', 'http://127.0.0.1:9999/token', false, 'connector_misconfigured'],
    ['http on loopback with the setting', 'http://127.0.0.1:9999/token', true, null],
    ['http on localhost with the setting', 'http://localhost:9999/token', true, null],
    ['http on [::1] with the setting', 'http://[::1]:9999/token', true, null],
    ['http on a lookalike host with the setting', 'http://127.0.0.1.evil.example/token', true, 'connector_misconfigured'],
    ['another scheme', 'ftp://auth.example/token', true, 'connector_misconfigured'],
    ['a relative URL', '/token', true, 'connector_misconfigured'],
    ['a fragment', 'https://auth.example/token#x', true, 'connector_misconfigured'],
    ['credentials in the URL', 'https://u:p@auth.example/token', true, 'connector_misconfigured'],
  ])('S10 a token endpoint with %s', (_case, tokenUri, allowInsecureLoopback, code) => {
    expect(codeOf({ ...BASE, tokenUri }, { ...CONTEXT, allowInsecureLoopback })).toBe(code)
    expect(codeOf({ ...BASE, authorizeUri: tokenUri }, { ...CONTEXT, allowInsecureLoopback })).toBe(code)
  })

  it.each([
    ['https', 'https://auth.example', false, null],
    ['https with a path', 'https://auth.example/tenant-1/v2.0', false, null],
    ['http on a public host', 'http://auth.example', true, 'connector_misconfigured'],
    ['http on loopback without the setting', 'http://127.0.0.1:9999/s/x', false, 'connector_misconfigured'],
    ['http on loopback with the setting', 'http://127.0.0.1:9999/s/x', true, null],
    ['another scheme', 'ftp://auth.example', true, 'connector_misconfigured'],
    ['a bare host name', 'auth.example', true, 'connector_misconfigured'],
    ['a fragment', 'https://auth.example#x', true, 'connector_misconfigured'],
    ['credentials in the URL', 'https://u:p@auth.example', true, 'connector_misconfigured'],
    ['a query', 'https://auth.example?tenant=1', true, 'connector_misconfigured'],
  ])('S10 S17 an issuer with %s (discovery is fetched from it)', (_case, issuer, allowInsecureLoopback, code) => {
    expect(codeOf({ ...BASE, issuer }, { ...CONTEXT, allowInsecureLoopback })).toBe(code)
  })

  it.each([
    ['https', 'https://auth.example/jwks', false, null],
    ['http on a public host', 'http://auth.example/jwks', true, 'connector_misconfigured'],
    ['http on loopback without the setting', 'http://127.0.0.1:9999/jwks', false, 'connector_misconfigured'],
    ['http on loopback with the setting', 'http://127.0.0.1:9999/jwks', true, null],
  ])('S10 S17 a jwksUri with %s', (_case, jwksUri, allowInsecureLoopback, code) => {
    expect(codeOf({ ...BASE, issuer: 'https://auth.example', jwksUri }, { ...CONTEXT, allowInsecureLoopback })).toBe(code)
  })

  it.each([
    ['not an object', 'config'],
    ['no clientId', { ...BASE, clientId: undefined }],
    ['no tokenUri', { ...BASE, tokenUri: undefined }],
    ['scopes that are not strings', { ...BASE, scopes: [1] }],
    ['an unknown clientAuthLocation', { ...BASE, clientAuthLocation: 'query' }],
    ['a non-boolean skipPkce', { ...BASE, skipPkce: 'yes' }],
    ['extra that is an array', { ...BASE, extra: ['a'] }],
    ['an extra value that is an object', { ...BASE, extra: { claims: { id_token: {} } } }],
    ['both scopes and extra.scope', { ...BASE, scopes: ['read'], extra: { scope: 'read,write' } }],
    ['an issuer that is not a URL', { ...BASE, issuer: 'issuer' }],
  ])('refuses %s as connector_misconfigured', (_case, raw) => {
    expect(codeOf(raw)).toBe('connector_misconfigured')
  })

  it('names the Worker variable when clientId is missing because its parameter is unset', () => {
    try {
      validateOAuthConfig({ ...BASE, clientId: undefined }, { ...CONTEXT, connectorKey: 'quick-books', connectorParameters: {} })
      expect.unreachable()
    } catch (error) {
      expect((error as LatchkeyError).message).toContain('QUICK_BOOKS__CLIENT_ID')
    }
  })

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['localhost.evil.example', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
