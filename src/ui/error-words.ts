/**
 * What the error page says to the person in front of it: one plain sentence per error code,
 * with no protocol terms (the code and the developer message stay on the page, folded away
 * for whoever supports them). Codes are grouped by what the person can do about them; a code
 * without an entry, or one this table does not know, gets the general sentence.
 */
import type { ErrorCode } from '../errors.ts'

/** A sentence, or one that names the provider (the connector's name, or "the provider"). */
type PlainWords = string | ((provider: string) => string)

const EXPIRED_LINK = 'This connection link has expired or was already used.'
const BROKEN_LINK = 'This link is incomplete or was changed. Start again from the application.'
const NOT_SET_UP = 'This service is not set up correctly yet. Let the people who run the application know.'
const UNEXPECTED_ANSWER = (provider: string): string => `${provider} answered in a way we could not accept, so nothing was connected.`
const UNREACHABLE = (provider: string): string => `${provider} could not be reached. Try again in a few minutes.`

const NOT_DISCOVERABLE = 'We could not find how to sign in to the server at that address. Check the address, or ask whoever runs the server.'

/** The sentence for any code the table has no entry for. */
export const GENERAL_WORDS = 'The connection could not be completed.'

const WORDS: Partial<Record<ErrorCode, PlainWords>> = {
  invalid_connect_token: 'This connection link is not valid. Start again from the application.',
  invalid_request: BROKEN_LINK,
  invalid_connection_input: BROKEN_LINK,
  return_url_not_allowed: BROKEN_LINK,
  duplicate_parameter: BROKEN_LINK,
  code_missing: BROKEN_LINK,
  method_not_allowed: BROKEN_LINK,
  connector_not_found: 'This service cannot be connected here.',
  connector_misconfigured: NOT_SET_UP,
  server_misconfigured: NOT_SET_UP,
  credentials_key_misconfigured: NOT_SET_UP,
  state_missing: EXPIRED_LINK,
  state_unknown: EXPIRED_LINK,
  state_expired: EXPIRED_LINK,
  state_reused: EXPIRED_LINK,
  state_browser_mismatch: 'This connection was started in another browser or window. Start it again here.',
  provider_denied: (provider) => `The connection was cancelled at ${provider}.`,
  provider_error: (provider) => `${provider} did not complete the connection.`,
  issuer_mismatch: UNEXPECTED_ANSWER,
  token_exchange_failed: UNEXPECTED_ANSWER,
  invalid_token_response: UNEXPECTED_ANSWER,
  invalid_id_token: UNEXPECTED_ANSWER,
  connector_method_failed: UNEXPECTED_ANSWER,
  connection_test_failed: (provider) => `The account was connected, but ${provider} did not let us use it.`,
  credentials_rejected: (provider) => `${provider} did not accept these details.`,
  connection_not_found: 'This connection does not exist any more.',
  needs_reauth: 'This connection has to be connected again.',
  refresh_failed: UNREACHABLE,
  upstream_unavailable: UNREACHABLE,
  rate_limited: 'There were too many attempts. Wait a moment and try again.',
  route_not_found: 'This page does not exist.',
  invalid_page_token: 'This page link has expired or is not valid. Open it again from the application.',
  csrf_check_failed: 'This form has expired. Go back to the page and try again.',
  user_verification_failed: 'We could not confirm that you started this connection, so nothing was connected.',
  user_verification_expired: 'The connection took too long to confirm. Start it again from the application.',
  auth_option_required: 'Choose how to connect, then try again.',
  internal_error: 'Something went wrong on our side.',
  // Discovered connections (MCP servers): the person typed the server's address.
  discovered_url_refused: "That address cannot be connected. Use the server's public https address.",
  discovery_failed: NOT_DISCOVERABLE,
  resource_metadata_invalid: NOT_DISCOVERABLE,
  authorization_server_metadata_invalid: NOT_DISCOVERABLE,
  pkce_not_supported: NOT_DISCOVERABLE,
  resource_mismatch: 'That server described itself inconsistently, so nothing was connected.',
  client_registration_unavailable: 'That server does not let this application sign in by itself. Let the people who run the application know.',
  client_registration_failed: 'That server did not accept this application. Try again in a few minutes.',
  client_registration_changed: 'This connection has to be connected again.',
  discovery_rate_limited: 'There were too many attempts. Wait a moment and try again.',
  step_up_required: 'This connection needs more permissions. Connect it again to grant them.',
}

/** The plain sentence for `code`; `providerName` (the connector's name) when the page knows it. */
export function plainWordsFor(code: string, providerName: string | null): string {
  const words = Object.hasOwn(WORDS, code) ? WORDS[code as ErrorCode] : undefined
  if (words === undefined) return GENERAL_WORDS
  if (typeof words === 'string') return words
  if (providerName !== null) return words(providerName)
  // "the provider answered..." may start the sentence; a connector's own name keeps its spelling.
  const sentence = words('the provider')
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}`
}
