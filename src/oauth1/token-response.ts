/**
 * Trust boundary: the provider's answers to the request-token and access-token requests
 * (RFC 5849 sections 2.1 and 2.3): HTTP 200 with an application/x-www-form-urlencoded body
 * carrying `oauth_token` and `oauth_token_secret`. Every field is checked before use; failures
 * are `token_exchange_failed` whose messages quote no body (it carries tokens and secrets).
 */
import { LatchkeyError } from '../errors.ts'
import { readLimitedText } from '../limited-body.ts'

/** A token response: the token credentials plus whatever else the provider sent (user_id, screen_name...). */
export type OAuth1TokenResponse = { oauth_token: string; oauth_token_secret: string } & Record<string, string>

/** Which exchange a response answers, for messages. */
export type OAuth1Exchange = 'request token' | 'access token'

/** Largest token response read (S18); real ones are a few hundred bytes. */
export const MAX_TOKEN_RESPONSE_BYTES = 16 * 1024

/** The OAuth Problem Reporting extension's `oauth_problem` values are short snake_case words, safe to quote. */
const PROBLEM_SHAPE = /^[a-z_]{1,64}$/

/**
 * Reads and validates a token response. Throws `token_exchange_failed` for any status but 200
 * (naming the provider's `oauth_problem` when it sends one), an oversized, JSON or malformed
 * body, a repeated field, or a missing or empty oauth_token / oauth_token_secret.
 */
export async function readOAuth1TokenResponse(response: Response, exchange: OAuth1Exchange): Promise<OAuth1TokenResponse> {
  const body = await readLimitedText(response, MAX_TOKEN_RESPONSE_BYTES)
  if (response.status !== 200) {
    const problem = body === null ? null : problemOf(body)
    const detail = problem === null ? '' : ` (oauth_problem=${problem})`
    throw failure(exchange, `answered HTTP ${response.status}${detail}`)
  }
  if (body === null) throw failure(exchange, `answered with a body over ${MAX_TOKEN_RESPONSE_BYTES} bytes`)
  if (/^\s*(?:application\/json|[^;]*\+json)/i.test(response.headers.get('Content-Type') ?? '')) {
    throw failure(exchange, 'answered JSON; OAuth 1.0a token responses are application/x-www-form-urlencoded (RFC 5849 section 2.1)')
  }
  return parseOAuth1TokenResponse(body, exchange)
}

/** Parses a form-encoded token response body (pure). Throws like `readOAuth1TokenResponse`. */
export function parseOAuth1TokenResponse(body: string, exchange: OAuth1Exchange): OAuth1TokenResponse {
  if (/%(?![0-9A-Fa-f]{2})/.test(body)) throw failure(exchange, 'answered with a malformed form-encoded body')
  const fields: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(body.trim())) {
    // A repeated field is ambiguous: which token would be the real one?
    if (Object.hasOwn(fields, name)) throw failure(exchange, `answered with the field "${printable(name)}" more than once`)
    fields[name] = value
  }
  const token = fields['oauth_token']
  const secret = fields['oauth_token_secret']
  if (token === undefined || token === '') throw failure(exchange, 'answered without oauth_token')
  if (secret === undefined || secret === '') throw failure(exchange, 'answered without oauth_token_secret')
  return { ...fields, oauth_token: token, oauth_token_secret: secret }
}

/** `oauth_problem` of an error body, when it has the registered shape; null otherwise. */
function problemOf(body: string): string | null {
  try {
    const problem = new URLSearchParams(body.trim()).get('oauth_problem')
    return problem !== null && PROBLEM_SHAPE.test(problem) ? problem : null
  } catch {
    return null
  }
}

/** The exchange's failure: `what` must never quote a value from the response. */
export function failure(exchange: OAuth1Exchange, what: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError(
    'token_exchange_failed',
    `The provider's ${exchange} endpoint ${what}. Start the connection again; if it keeps failing, check the connector's OAuth 1.0a configuration.`,
    { cause },
  )
}

function printable(name: string): string {
  return name.length <= 40 && /^[\x21-\x7E]*$/.test(name) ? name : '(unprintable)'
}
