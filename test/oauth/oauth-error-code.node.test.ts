/**
 * registeredOAuthErrorCode (S13): a provider's `error` value is repeated only when it is a
 * registered code; anything else, a secret the server echoed back included, collapses to
 * `unrecognized_error`. One registered code per defining document stands for its list: the
 * list itself lives in src/oauth/oauth-error-code.ts, with the section each code comes from.
 */
import { describe, expect, it } from 'vitest'
import { registeredOAuthErrorCode } from '../../src/oauth/oauth-error-code.ts'

describe('registeredOAuthErrorCode (S13)', () => {
  it.each([
    ['an authorization error of RFC 6749 section 4.1.2.1', 'access_denied'],
    ['a token error of RFC 6749 section 5.2', 'invalid_grant'],
    ['a bearer token error of RFC 6750 section 3.1', 'invalid_token'],
    ['an authentication error of OpenID Connect Core section 3.1.2.6', 'login_required'],
    ['a device flow error of RFC 8628 section 3.5', 'slow_down'],
    ['a DPoP error of RFC 9449', 'use_dpop_nonce'],
  ])('passes %s through unchanged (%s)', (_case, code) => {
    expect(registeredOAuthErrorCode(code)).toBe(code)
  })

  it.each([
    ['a refresh token the server echoes back', 'rt_Zk3v9QxLw2mN8pR4tY6uA1sD5fG7hJ0k'],
    ['an access token', 'at_kP9sL2mQ7wE4rT6yU8iO0pA3sD5fG1hJ'],
    ['an authorization code', 'SplxlOBeZQQYbYS6WxSbIA'],
    ['a provider-specific code', 'bad_verification_code'],
    ['a registered code in another case', 'INVALID_GRANT'],
    ['a registered code with whitespace', ' invalid_grant'],
    ['a registered code with a suffix', 'invalid_grant:rt_Zk3v9QxLw2mN8pR4'],
    ['characters RFC 6749 forbids', 'bad"code\\'],
    ['markup', '<script>alert(1)</script>'],
    ['an empty string', ''],
    ['an inherited property name', 'constructor'],
    ['a number', 400],
    ['null', null],
    ['an object', { error: 'invalid_grant' }],
  ])('turns %s into unrecognized_error', (_case, value) => {
    expect(registeredOAuthErrorCode(value)).toBe('unrecognized_error')
  })
})
