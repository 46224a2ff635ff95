/**
 * Trust boundary: the `error` value of a provider's answer (token endpoint body, callback
 * query). Its character set is no protection: a server can put any value there, the refresh
 * token it was just sent included. Only registered codes are repeated in messages, stored
 * errors, events, logs and redirect URLs (S13); anything else is `unrecognized_error`.
 */

/** What an unregistered or malformed `error` value is reported as. */
export const UNRECOGNIZED_ERROR_CODE = 'unrecognized_error'

/** The error codes a provider may send, from the RFCs that define them. */
const REGISTERED_ERROR_CODES: ReadonlySet<string> = new Set([
  // RFC 6749 section 4.1.2.1 (authorization response) and section 5.2 (token response)
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
  // RFC 6750 section 3.1 (bearer token use)
  'invalid_token',
  'insufficient_scope',
  // OpenID Connect Core 1.0 section 3.1.2.6 (authentication error response)
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  // RFC 8628 section 3.5 (device authorization grant)
  'authorization_pending',
  'slow_down',
  'expired_token',
  // RFC 9449 section 12.2 (DPoP)
  'invalid_dpop_proof',
  'use_dpop_nonce',
])

/**
 * The provider's `error` value when it is a registered OAuth error code, otherwise
 * `unrecognized_error`. Safe to put in a message, a stored error, an event, a log or a URL.
 */
export function registeredOAuthErrorCode(error: unknown): string {
  return typeof error === 'string' && REGISTERED_ERROR_CODES.has(error) ? error : UNRECOGNIZED_ERROR_CODE
}
