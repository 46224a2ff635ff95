/**
 * Trust boundary: the connect page's form posts. Only `application/x-www-form-urlencoded`
 * bodies of at most 8 KiB, each field once (S18), are read before any value is looked at.
 */
import { LatchkeyError } from '../errors.ts'
import { readLimitedBytes } from '../limited-body.ts'
import { parseUniqueQuery } from '../flow/query-string.ts'

/** Largest form body read. */
export const MAX_FORM_BYTES = 8192

/** The fields of a form post. Throws `invalid_request` (type, size, encoding) or `duplicate_parameter`. */
export async function readPageForm(request: Request): Promise<Record<string, string>> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    throw new LatchkeyError('invalid_request', 'Send the connect page forms as application/x-www-form-urlencoded.')
  }
  return parseUniqueQuery(await readCapped(request, MAX_FORM_BYTES))
}

/** The body as text, refusing it as soon as it grows past `limit` bytes. */
async function readCapped(request: Request, limit: number): Promise<string> {
  const tooLarge = new LatchkeyError('invalid_request', `The form body is larger than ${limit} bytes.`)
  if (Number(request.headers.get('Content-Length') ?? '0') > limit) throw tooLarge
  const bytes = await readLimitedBytes(request.body, limit)
  if (bytes === null) throw tooLarge
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new LatchkeyError('invalid_request', 'The form body is not valid UTF-8.')
  }
}
