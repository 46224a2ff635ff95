/**
 * Trust boundary: query strings of browser routes. Each parameter must appear once (S7) and
 * the string must be of sane size and encoding (S18), before any value is looked at.
 */
import { LatchkeyError } from '../errors.ts'

/** Longest query string accepted. */
export const MAX_QUERY_LENGTH = 8192
/** At most this many parameters. */
const MAX_PARAMETERS = 50

/**
 * The parameters of a raw query string (without `?`). Throws `invalid_request` when it is
 * oversized or malformed, `duplicate_parameter` when a parameter repeats.
 */
export function parseUniqueQuery(search: string): Record<string, string> {
  if (search.length > MAX_QUERY_LENGTH) throw new LatchkeyError('invalid_request', `The query string is longer than ${MAX_QUERY_LENGTH} characters.`)
  if (/%(?![0-9A-Fa-f]{2})/.test(search)) throw new LatchkeyError('invalid_request', 'The query string has a malformed percent-encoding.')
  const parameters = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(search)) {
    if (parameters.has(name)) {
      throw new LatchkeyError('duplicate_parameter', `The parameter "${printable(name)}" appears more than once; send each parameter once.`)
    }
    if (parameters.size === MAX_PARAMETERS) throw new LatchkeyError('invalid_request', `The query string has more than ${MAX_PARAMETERS} parameters.`)
    parameters.set(name, value)
  }
  return Object.fromEntries(parameters)
}

/** The raw query string of a URL, without `?`. */
export function rawQuery(url: string): string {
  const start = url.indexOf('?')
  if (start < 0) return ''
  const end = url.indexOf('#', start)
  return url.slice(start + 1, end < 0 ? undefined : end)
}

function printable(name: string): string {
  return name.length <= 40 && /^[\x21-\x7E]*$/.test(name) ? name : '(unprintable)'
}
