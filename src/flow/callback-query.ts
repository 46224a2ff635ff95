/**
 * Trust boundary: the query string of `GET /oauth/callback` (RFC 6749 section 4.1.2, RFC 9207).
 * Pure: size limits, duplicated parameters (S7) and the shape of `state` are checked before
 * anything is looked up.
 */
import { registeredOAuthErrorCode } from '../oauth/oauth-error-code.ts'
import { parseUniqueQuery } from './query-string.ts'

/** States Latchkey issues: 32 random bytes, base64url. */
const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A parsed callback. `parameters` holds every parameter (each appears once) as sent. */
export interface CallbackQuery {
  state: string | null
  code: string | null
  /** The provider's `error`, as a registered OAuth error code or `unrecognized_error` (S13); never `error_description`. */
  error: string | null
  iss: string | null
  parameters: Record<string, string>
}

/**
 * Parses the raw query string (without `?`). Throws `invalid_request` when it is oversized or
 * malformed, `duplicate_parameter` when a parameter repeats (S7).
 */
export function parseCallbackQuery(search: string): CallbackQuery {
  const parameters = parseUniqueQuery(search)
  return {
    state: parameters['state'] ?? null,
    code: parameters['code'] ?? null,
    error: parameters['error'] === undefined ? null : registeredOAuthErrorCode(parameters['error']),
    iss: parameters['iss'] ?? null,
    parameters,
  }
}

/** Whether `state` has the shape of a Latchkey state (so it can be used as a storage key). */
export function isWellFormedState(state: string): boolean {
  return STATE_SHAPE.test(state)
}
