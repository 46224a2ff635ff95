/**
 * The tests' one `errorCodeOf`: the stable error code (src/errors.ts) of whatever carried it,
 * in either tier. Tests assert on codes, never on message text; a code reaches a test in one
 * of five ways: the `error` of a redirect, the "Error code" of an error page, a LatchkeyError
 * thrown in the test's own isolate, an Error that crossed RPC or a service binding, whose
 * message starts with `[latchkey:<code>] ` (the wire format of src/connection/rpc-error.ts),
 * or the LatchkeyClientError the example client (examples/caller-worker) decodes that into.
 */
import { expect } from 'vitest'
import { isLatchkeyClientError, LatchkeyClientError } from '@latchkey/client'
import { isLatchkeyError } from '../../src/errors.ts'

const ENCODED = /^\[latchkey:([a-z_]{1,64})\] /

/**
 * The error code `subject` carries, or null when it carries none. `subject` is one of:
 * - a Response: its redirect's `error`, or its error page's code;
 * - a function: called (sync or async); the code it throws or rejects with, null when it
 *   succeeds; an error without a code is rethrown, so the test shows it;
 * - anything else: a caught error (or null, when nothing was thrown).
 */
export async function errorCodeOf(subject: unknown): Promise<string | null> {
  if (subject instanceof Response) return responseCode(subject)
  if (typeof subject !== 'function') return thrownCode(subject)
  try {
    await (subject as () => unknown)()
    return null
  } catch (error) {
    const code = thrownCode(error)
    if (code === null) throw error
    return code
  }
}

/**
 * The error code a call of the example client rejects with, after checking that it rejects
 * with the client's own LatchkeyClientError (what an application catches), not with the raw
 * RPC error whose message still carries the code. Fails the test when the call succeeds.
 */
export async function clientErrorCodeOf(call: () => Promise<unknown>): Promise<string | null> {
  const rejection = await call().then(
    () => null,
    (error: unknown) => error,
  )
  expect(rejection).toBeInstanceOf(LatchkeyClientError)
  return errorCodeOf(rejection)
}

async function responseCode(response: Response): Promise<string | null> {
  const location = response.headers.get('Location')
  if (location !== null) return new URL(location).searchParams.get('error')
  return /Error code: <code>([a-z_]+)<\/code>/.exec(await response.clone().text())?.[1] ?? null
}

function thrownCode(error: unknown): string | null {
  if (isLatchkeyError(error) || isLatchkeyClientError(error)) return error.code
  return error instanceof Error ? (ENCODED.exec(error.message)?.[1] ?? null) : null
}
