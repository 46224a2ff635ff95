/**
 * Refusals only the HTTP API makes: who is calling and what they may do (S24). They have stable
 * codes in ERROR_CODES like every LatchkeyError, and carry the response headers their status calls for
 * (`WWW-Authenticate` on a 401, RFC 6750 §3; `Retry-After` on a 429). Everything an operation
 * itself refuses stays a LatchkeyError with its documented code.
 */
import { ERROR_CODES, type ErrorCode } from '../errors.ts'

/** A refusal with its code, status and headers; http-api.ts turns it into problem+json. */
export class HttpApiError extends Error {
  override readonly name = 'HttpApiError'
  readonly code: ErrorCode
  readonly status: number
  readonly headers: Readonly<Record<string, string>>

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.code = code
    this.status = ERROR_CODES[code]
    this.headers = headers
  }
}
