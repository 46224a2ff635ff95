/**
 * Latchkey's errors on the caller's side. Workers RPC keeps only the message of a thrown
 * error, so Latchkey throws `Error('[latchkey:<code>] <message>')`; the client turns that
 * back into a `LatchkeyClientError` with the same stable `code`.
 */
import type { ErrorCode } from '../../../src/errors.ts'

/**
 * A stable error code (README "Error codes"). Any string is accepted too: a newer Latchkey
 * may raise a code this client does not know yet.
 */
export type LatchkeyErrorCode = ErrorCode | (string & {})

/** An error Latchkey raised on purpose (or the client refused a call before sending it). Branch on `code`, never on the message. */
export class LatchkeyClientError extends Error {
  override readonly name = 'LatchkeyClientError'
  readonly code: LatchkeyErrorCode

  constructor(code: LatchkeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Whether `error` is a Latchkey error (optionally with this code). */
export function isLatchkeyClientError(error: unknown, code?: LatchkeyErrorCode): error is LatchkeyClientError {
  return error instanceof LatchkeyClientError && (code === undefined || error.code === code)
}

const ENCODED = /^\[latchkey:([a-z_]{1,64})\] ([\s\S]*)$/

/** Turns an error received over RPC into a `LatchkeyClientError` when Latchkey raised it; anything else is returned as it is. */
export function toLatchkeyClientError(error: unknown): unknown {
  if (error instanceof LatchkeyClientError || !(error instanceof Error)) return error
  const match = ENCODED.exec(error.message)
  if (match === null || match[1] === undefined) return error
  return new LatchkeyClientError(match[1], match[2] ?? '', { cause: error })
}

/** Runs an RPC call so that what Latchkey throws arrives as a `LatchkeyClientError`. */
export async function typedErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toLatchkeyClientError(error)
  }
}
