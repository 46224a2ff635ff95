/**
 * Trust boundary: the result of a finished connect flow as it travels in the URL of the result
 * route `GET /oauth/done` (S7: the callback never answers with a page, so the authorization code
 * leaves the address bar and history by a 303). The URL carries only what the application may
 * see anyway: status, connection id, error codes and, in popup mode, the origin to post to. An
 * HMAC (the `flow-result` key, signing-keys.ts) makes it a result Latchkey produced: a provider or another
 * site that sends a browser to a hand-made result URL cannot make the popup post a fake outcome.
 */
import { ERROR_CODES, LatchkeyError, type ErrorCode } from '../errors.ts'
import { registeredOAuthErrorCode } from '../oauth/oauth-error-code.ts'
import { base64UrlEncode } from '../base64url.ts'
import { isConnectionId } from '../connection-id.ts'
import type { Settings } from '../settings.ts'
import { parseUniqueQuery } from './query-string.ts'
import { checkReturnUrl } from './return-url.ts'
import { signingKey } from './signing-keys.ts'

/** The path of the result route. */
export const RESULT_PATH = '/oauth/done'

/** How a flow ended, as the result route shows it. */
export interface FlowResult {
  /** The stored connection's status, or `failed`. */
  status: 'connected' | 'needs_reauth' | 'error' | 'failed'
  connectionId: string | null
  /** Set exactly when `status` is `failed`. */
  error: ErrorCode | null
  /** The provider's `error` from the callback: a registered OAuth error code or `unrecognized_error`. */
  providerError: string | null
  /** Popup mode: the origin the result is posted to; null ends on a page. */
  popupOrigin: string | null
}

const STATUSES: ReadonlySet<string> = new Set(['connected', 'needs_reauth', 'error', 'failed'])
const PARAMETERS = ['status', 'connection_id', 'error', 'provider_error', 'origin'] as const
const SIGNATURE = 'sig'

/** The signed URL of the result route for `result`, on PUBLIC_BASE_URL. */
export async function flowResultUrl(settings: Settings, result: FlowResult): Promise<string> {
  const url = new URL(RESULT_PATH, settings.redirectUri)
  const values = parameterValues(result)
  for (const name of PARAMETERS) {
    const value = values[name]
    if (value !== null) url.searchParams.set(name, value)
  }
  url.searchParams.set(SIGNATURE, base64UrlEncode(new Uint8Array(await crypto.subtle.sign('HMAC', await resultKey(settings), signedText(values)))))
  return url.toString()
}

/**
 * Reads and checks the result route's raw query string: each parameter once, known values only,
 * a valid signature, and a popup origin still on ALLOWED_RETURN_ORIGINS (S8). Throws
 * `invalid_request` (or `return_url_not_allowed`).
 */
export async function readFlowResult(settings: Settings, search: string): Promise<FlowResult> {
  const refuse = (why: string): LatchkeyError =>
    new LatchkeyError('invalid_request', `This result URL ${why}: Latchkey makes it when a connection ends. Start the connection again from the application.`)
  const query = parseUniqueQuery(search)
  for (const name of Object.keys(query)) if (name !== SIGNATURE && !(PARAMETERS as readonly string[]).includes(name)) throw refuse('has unknown parameters')
  const status = query['status'] ?? ''
  const connectionId = query['connection_id'] ?? null
  const error = query['error'] ?? null
  const providerError = query['provider_error'] ?? null
  const origin = query['origin'] ?? null
  if (!STATUSES.has(status) || (status === 'failed') !== (error !== null)) throw refuse('has no valid status')
  if (connectionId !== null && !isConnectionId(connectionId)) throw refuse('has a malformed connection_id')
  if (error !== null && !Object.hasOwn(ERROR_CODES, error)) throw refuse('has an unknown error code')
  if (providerError !== null && registeredOAuthErrorCode(providerError) !== providerError) throw refuse('has an unknown provider_error')

  const result: FlowResult = {
    status: status as FlowResult['status'],
    connectionId,
    error: error as ErrorCode | null,
    providerError,
    popupOrigin: origin,
  }
  const signature = base64UrlDecode(query[SIGNATURE] ?? '')
  if (signature === null || !(await crypto.subtle.verify('HMAC', await resultKey(settings), signature, signedText(parameterValues(result))))) {
    throw refuse('is not signed by this Latchkey')
  }
  // Re-checked: the allowlist may have changed since the flow started (S8).
  if (origin !== null && checkReturnUrl(origin, settings.allowedReturnOrigins).origin !== origin) throw refuse('has a popup origin that is not an origin')
  return result
}

function parameterValues(result: FlowResult): Record<(typeof PARAMETERS)[number], string | null> {
  return {
    status: result.status,
    connection_id: result.connectionId,
    error: result.error,
    provider_error: result.providerError,
    origin: result.popupOrigin,
  }
}

/** One line per parameter in a fixed order, after a label that no connect token (a JWT) can start with. */
function signedText(values: Record<(typeof PARAMETERS)[number], string | null>): Uint8Array {
  const lines = PARAMETERS.map((name) => `${name}=${values[name] ?? ''}`)
  return new TextEncoder().encode(['latchkey-flow-result:v1', ...lines].join('\n'))
}

function resultKey(settings: Settings): Promise<CryptoKey> {
  return signingKey(settings.connectTokenSecret, 'flow-result')
}

function base64UrlDecode(value: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (character) => character.charCodeAt(0))
}
