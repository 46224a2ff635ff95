import { describe, expect, it } from 'vitest'
import { registeredOAuthErrorCode } from '../../src/oauth/oauth-error-code.ts'

describe('registeredOAuthErrorCode (S13)', () => {
  it.each([
    // RFC 6749 sections 4.1.2.1 and 5.2
    'invalid_request',
    'unauthorized_client',
    'access_denied',
    'unsupported_response_type',
    'invalid_scope',
    'server_error',
    'temporarily_unavailable',
    'invalid_client',
    'invalid_grant',
    'unsupported_grant_type',
    // RFC 6750 section 3.1
    'invalid_token',
    'insufficient_scope',
    // OpenID Connect Core section 3.1.2.6
    'interaction_required',
    'login_required',
    'account_selection_required',
    'consent_required',
    'invalid_request_uri',
    'invalid_request_object',
    'request_not_supported',
    'request_uri_not_supported',
    'registration_not_supported',
    // RFC 8628 section 3.5
    'authorization_pending',
    'slow_down',
    'expired_token',
    // RFC 9449
    'invalid_dpop_proof',
    'use_dpop_nonce',
  ])('keeps the registered code %s', (code) => {
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
