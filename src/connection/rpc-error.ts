/**
 * Errors across Workers RPC. workerd keeps only the message of a thrown error (the name of
 * a custom class is folded into it, other properties are dropped), so a LatchkeyError
 * crosses as a plain Error whose message starts with `[latchkey:<code>] `; the receiving
 * side turns it back into a LatchkeyError with the same code.
 */
import { ERROR_CODES, LatchkeyError, isLatchkeyError, type ErrorCode } from '../errors.ts'

const ENCODED = /^\[latchkey:([a-z_]{1,64})\] ([\s\S]*)$/

/**
 * The error to throw from an RPC method: a LatchkeyError keeps its code in the message;
 * anything else becomes `internal_error` with a generic message (its own message may quote
 * a secret, S13).
 */
export function toRpcError(error: unknown): Error {
  if (isLatchkeyError(error)) return new Error(`[latchkey:${error.code}] ${error.message}`)
  return new Error('[latchkey:internal_error] Latchkey failed unexpectedly; see the Latchkey Worker logs.')
}

/** Rebuilds the LatchkeyError from an error received over RPC; other errors are returned as they are. */
export function fromRpcError(error: unknown): unknown {
  if (isLatchkeyError(error) || !(error instanceof Error)) return error
  const match = ENCODED.exec(error.message)
  const code = match?.[1]
  if (match === null || code === undefined || !Object.hasOwn(ERROR_CODES, code)) return error
  return new LatchkeyError(code as ErrorCode, match[2] ?? '', { cause: error })
}

/** Runs an RPC method body so that whatever it throws crosses RPC with its code intact. */
export async function withRpcErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    if (!isLatchkeyError(error)) console.error('latchkey: unexpected error in an RPC method', describeUnexpected(error))
    throw toRpcError(error)
  }
}

/** Name and stack frames of an unexpected error for logs: never its message, which may quote a secret. */
function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
  return [error.name, ...frames.slice(0, 5)].join('\n')
}
