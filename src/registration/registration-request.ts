/**
 * Dynamic client registration (RFC 7591), the trust boundary: the request Latchkey sends, and the
 * validation of what the registration endpoint answers. Both are pure; register-client.ts sends
 * the one through the discovery network rules and hands the Response to the other.
 *
 * The answer is refused unless it is a 201 (or 200) JSON object of at most 64 KiB with a
 * `client_id`, a `client_secret` unless the client is public, a `client_secret_expires_at` that is
 * absent, 0 (never) or in the future, and a `token_endpoint_auth_method` Latchkey speaks. Errors
 * quote the HTTP status and the RFC 7591 `error` code, never the body (it may hold a secret).
 */
import { MAX_DISCOVERY_BODY_BYTES, isJsonMediaType, type DiscoveryRequest } from '../discovery/discovery-fetch.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { readLimitedText } from '../limited-body.ts'
import type { TokenEndpointAuthMethod } from './client-reference.ts'
import { VSCHAR } from './client-credential-syntax.ts'
import { latchkeyClientMetadata } from './client-metadata.ts'
import { TOKEN_ENDPOINT_AUTH_METHODS, isTokenEndpointAuthMethod } from './token-endpoint-auth-method.ts'

/** What a registration asks for. */
export interface RegistrationMetadata {
  /** APP_NAME, default "Latchkey". */
  clientName: string
  /** `${PUBLIC_BASE_URL}/oauth/callback`. */
  redirectUri: string
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
}

/** A client the registration endpoint issued, validated. */
export interface RegisteredClient {
  clientId: string
  /** null for a public client (`none`). */
  clientSecret: string | null
  /** The method the server registered (its answer wins over the request, RFC 7591 section 3.2.1). */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  /** When the secret stops working (epoch ms), or null: never (or no secret). */
  clientSecretExpiresAt: number | null
}

/** Longer identifiers are refused: they end up in URLs and in every stored connection. */
export const MAX_CLIENT_ID_LENGTH = 2048
/** An RFC 7591 section 3.2.2 `error` code worth quoting: short, and nothing but these characters. */
const ERROR_CODE = /^[a-z0-9_]{1,64}$/

/**
 * The method to register with, from the server's `token_endpoint_auth_methods_supported`
 * (empty: RFC 8414's default `client_secret_basic`): a shared secret in a header, in the body,
 * else a public client; null when the server lists none of them.
 */
export function chooseTokenEndpointAuthMethod(supported: readonly string[]): TokenEndpointAuthMethod | null {
  if (supported.length === 0) return 'client_secret_basic'
  return TOKEN_ENDPOINT_AUTH_METHODS.find((method) => supported.includes(method)) ?? null
}

/** The registration request (RFC 7591 section 3.1): client metadata as JSON. */
export function registrationRequest(metadata: RegistrationMetadata): DiscoveryRequest {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ ...latchkeyClientMetadata(metadata.clientName, metadata.redirectUri), token_endpoint_auth_method: metadata.tokenEndpointAuthMethod }),
  }
}

/**
 * Validates the registration endpoint's answer to a request for `requested` and returns the
 * client, or throws `client_registration_failed`. `now` is epoch ms. Consumes the body.
 */
export async function processRegistrationResponse(
  response: Response,
  requested: TokenEndpointAuthMethod,
  now: number,
  maxBodyBytes: number = MAX_DISCOVERY_BODY_BYTES,
): Promise<RegisteredClient> {
  const text = await readBody(response, maxBodyBytes)
  if (response.status !== 201 && response.status !== 200) {
    const code = errorCodeOf(text)
    throw failed(`answered HTTP ${response.status}${code === null ? '' : ` (${code})`}.`)
  }
  if (!isJsonMediaType(response.headers.get('Content-Type'))) throw failed('answered with something other than application/json.')
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw failed('answered with invalid JSON.')
  }
  if (!isRecord(document)) throw failed('answered with something other than a JSON object.')
  const clientId = document['client_id']
  if (typeof clientId !== 'string' || clientId.length > MAX_CLIENT_ID_LENGTH || !VSCHAR.test(clientId)) {
    throw failed(`answered without a client_id (a non-empty string of printable ASCII, at most ${MAX_CLIENT_ID_LENGTH} characters).`)
  }
  const method = document['token_endpoint_auth_method'] ?? requested
  if (!isTokenEndpointAuthMethod(method)) throw failed('registered a token_endpoint_auth_method Latchkey does not support.')
  if (method === 'none') return { clientId, clientSecret: null, tokenEndpointAuthMethod: method, clientSecretExpiresAt: null }
  const clientSecret = document['client_secret']
  if (typeof clientSecret !== 'string' || !VSCHAR.test(clientSecret)) throw failed(`answered without a client_secret, which ${method} needs.`)
  return { clientId, clientSecret, tokenEndpointAuthMethod: method, clientSecretExpiresAt: secretExpiry(document['client_secret_expires_at'], now) }
}

/** RFC 7591 section 3.2.1: seconds since the epoch, 0 for never; absent is read as never too. */
function secretExpiry(value: unknown, now: number): number | null {
  if (value === undefined || value === 0) return null
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw failed('answered with a client_secret_expires_at that is not a whole number of seconds.')
  const expiresAt = value * 1000
  if (expiresAt <= now) throw failed('issued a client_secret that has already expired.')
  return expiresAt
}

async function readBody(response: Response, maxBodyBytes: number): Promise<string> {
  let text: string | null
  try {
    text = await readLimitedText(response, maxBodyBytes)
  } catch (error) {
    throw new LatchkeyError('client_registration_failed', 'The client registration endpoint answer could not be read to the end (timeout or abort).', { cause: error })
  }
  if (text === null) throw failed(`answered with more than ${maxBodyBytes} bytes.`)
  return text
}

/** The `error` of an RFC 7591 error response, when it is one and the code is plain; never its description. */
function errorCodeOf(text: string): string | null {
  try {
    const document: unknown = JSON.parse(text)
    const code = isRecord(document) ? document['error'] : undefined
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : null
  } catch {
    return null
  }
}

function failed(detail: string): LatchkeyError {
  return new LatchkeyError('client_registration_failed', `The client registration endpoint ${detail}`)
}
