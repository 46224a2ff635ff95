/**
 * Latchkey's refusals as this example sees them. Every error answer of the HTTP API is an RFC
 * 9457 problem document (`application/problem+json`) whose `code` is Latchkey's stable error
 * code (its README, "Error codes"): branch on `code`, never on `detail`, which is words for people.
 */

/** The media type of Latchkey's error answers. */
const PROBLEM_MEDIA_TYPE = 'application/problem+json'
/** Latchkey's codes are lowercase words joined by underscores. */
const ERROR_CODE = /^[a-z_]{1,64}$/
/** A detail longer than this is cut: it is shown to people, and a reply may be anything. */
const MAX_DETAIL_LENGTH = 500

/** A refusal from Latchkey, or an answer that was not one of its documents at all (`unexpected_response`). */
export class LatchkeyApiError extends Error {
  override readonly name = 'LatchkeyApiError'
  /** Latchkey's stable code (`needs_reauth`, `connection_not_found`, `invalid_api_key`, ...), or `unexpected_response`. */
  readonly code: string
  /** The HTTP status of the answer. */
  readonly status: number
  /** How long to wait before trying again, when the answer says (`rate_limited`). */
  readonly retryAfterSeconds: number | null

  constructor(code: string, status: number, detail: string, retryAfterSeconds: number | null = null) {
    super(detail)
    this.code = code
    this.status = status
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Whether `response` is one of Latchkey's own error answers (through the proxy, a provider's answer is not). */
export function isProblemResponse(response: Response): boolean {
  return response.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase() === PROBLEM_MEDIA_TYPE
}

/** The data of a successful openapi-fetch call, or the LatchkeyApiError its answer stands for. */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.data !== undefined) return result.data
  throw latchkeyApiError(result.response, result.error)
}

/** The error an unsuccessful answer stands for; `body` is what openapi-fetch read from it (parsed JSON, else text). */
export function latchkeyApiError(response: Response, body: unknown): LatchkeyApiError {
  const problem = isProblemResponse(response) ? problemOf(body) : null
  if (problem === null) {
    return new LatchkeyApiError(
      'unexpected_response',
      response.status,
      `Latchkey answered ${response.status} without a problem document: check LATCHKEY_URL, and that the HTTP API is on (API_KEYS is set).`,
    )
  }
  return new LatchkeyApiError(problem.code, response.status, problem.detail, retryAfterSeconds(response))
}

/** The code and detail of a problem document, checked: anything else is not Latchkey's. */
function problemOf(body: unknown): { code: string; detail: string } | null {
  if (typeof body !== 'object' || body === null) return null
  const { code, detail } = body as Record<string, unknown>
  if (typeof code !== 'string' || !ERROR_CODE.test(code)) return null
  return { code, detail: typeof detail === 'string' ? detail.slice(0, MAX_DETAIL_LENGTH) : '' }
}

/** `Retry-After` in seconds (RFC 9110 §10.2.3; Latchkey sends the delay form). */
function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get('Retry-After')
  return value !== null && /^[0-9]{1,6}$/.test(value) ? Number(value) : null
}
