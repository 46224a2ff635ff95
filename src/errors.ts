/**
 * The one error type Latchkey raises on purpose. `code` is stable and documented in the
 * README; tests assert on it, never on message text. Messages say what to do and never
 * carry a secret (S13); details for logs go in `cause`.
 */

/** Every stable error code, grouped by where it arises. */
export const ERROR_CODES = {
  // Connect start (S15) and connection input
  invalid_connect_token: 401,
  invalid_request: 400,
  invalid_connection_input: 400,
  return_url_not_allowed: 400,
  connector_not_found: 404,
  connector_misconfigured: 500,
  // Callback (S2, S5 to S8, S16)
  state_missing: 400,
  state_unknown: 400,
  state_expired: 400,
  state_reused: 400,
  state_browser_mismatch: 400,
  issuer_mismatch: 400,
  duplicate_parameter: 400,
  provider_denied: 400,
  provider_error: 400,
  code_missing: 400,
  // Token endpoint (S9, S11, S17)
  token_exchange_failed: 502,
  invalid_token_response: 502,
  invalid_id_token: 502,
  // Connector code
  connector_method_failed: 502,
  // Connections and refresh (S12)
  connection_not_found: 404,
  needs_reauth: 409,
  refresh_failed: 502,
  upstream_unavailable: 503,
  rate_limited: 429,
  connection_test_failed: 502,
  credentials_key_misconfigured: 500,
  // Deployment and routing
  server_misconfigured: 500,
  route_not_found: 404,
  // Connect page (S14, S15)
  invalid_page_token: 401,
  csrf_check_failed: 403,
  // Anything else
  internal_error: 500,
  // Appended: a browser route asked with a method it refuses (HEAD on one-time URLs, S15)
  method_not_allowed: 405,
  // Appended: the optional user verifier (S21) refused or timed out
  user_verification_failed: 403,
  user_verification_expired: 400,
  // Appended: the other auth types (issue #13)
  /** The connection's credentials were refused by the connector's test: nothing was stored (S22). */
  credentials_rejected: 400,
  /** The connector has several ways to connect (`options`) and none, or an unknown one, was chosen. */
  auth_option_required: 400,
  // Appended: discovery of protected resources (issue #17, src/discovery/)
  /** A discovery request failed: network error, timeout, redirect, unexpected status, not JSON, too large, or no metadata at any well-known URL. */
  discovery_failed: 502,
  /** A discovered URL (the resource given, or one a document names) breaks the rules of src/discovery/discovered-url.ts. */
  discovered_url_refused: 400,
  /** The protected resource metadata (RFC 9728) is not a valid document. */
  resource_metadata_invalid: 502,
  /** The protected resource metadata names another resource than the one asked about (RFC 9728 section 3.3). */
  resource_mismatch: 502,
  /** The authorization server metadata (RFC 8414) is not a valid document. */
  authorization_server_metadata_invalid: 502,
  /** The authorization server does not advertise PKCE with S256, so the MCP specification says not to proceed. */
  pkce_not_supported: 502,
  // Appended: the opt-in HTTP API (issue #16, S24, src/http-api/)
  /** No `Authorization: Bearer lk_...` header on an HTTP API call. */
  api_key_required: 401,
  /** A malformed key, an unknown key id or a wrong secret (never said which). */
  invalid_api_key: 401,
  /** The API key exists but lacks the operation's scope. */
  insufficient_scope: 403,
  /** The API key is restricted to tenants with a prefix the `Latchkey-Tenant` header does not have. */
  tenant_not_allowed: 403,
  // Appended: discovered connections (issue #17, src/registration/, src/flow/start-discovered-authorization.ts)
  /** The authorization server offers no way for Latchkey to identify itself: no MCP_CLIENTS entry, no client ID metadata documents (or PUBLIC_BASE_URL is not https), no registration endpoint. */
  client_registration_unavailable: 502,
  /** Dynamic client registration (RFC 7591) was refused or answered unusably. */
  client_registration_failed: 502,
  /** The client a flow or connection was made with is no longer Latchkey's client at that authorization server (registered again, or removed from MCP_CLIENTS): connect again. */
  client_registration_changed: 409,
  /** Too many connect starts that discover a resource for this tenant in the last minute. */
  discovery_rate_limited: 429,
  /** The resource answered 403 insufficient_scope: reconnect (createConnectUrl with the connectionId) to grant the scopes it asked for; the reconnect requests them together with the earlier ones. */
  step_up_required: 403,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class LatchkeyError extends Error {
  override readonly name = 'LatchkeyError'
  readonly code: ErrorCode
  /** HTTP status to answer with when this error reaches a browser or an HTTP caller. */
  readonly status: number

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.status = ERROR_CODES[code]
  }
}

export function isLatchkeyError(error: unknown): error is LatchkeyError {
  return error instanceof LatchkeyError
}
