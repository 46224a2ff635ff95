/**
 * Trust boundary: the post-connect return URL (S8). Only absolute http(s) URLs whose origin is
 * exactly one of `ALLOWED_RETURN_ORIGINS` pass; relative, scheme-relative, backslash,
 * userinfo and non-http tricks are refused before the URL parser can normalise them away.
 */
import { LatchkeyError } from '../errors.ts'

/** Longest return URL accepted. */
export const MAX_RETURN_URL_LENGTH = 2048

/**
 * Checks a return URL against the allowlist (exact origin match) and returns it as a URL.
 * Throws `return_url_not_allowed`.
 */
export function checkReturnUrl(raw: string, allowedOrigins: ReadonlySet<string>): URL {
  const refuse = (why: string): LatchkeyError =>
    new LatchkeyError('return_url_not_allowed', `The return URL ${why}. Add its origin to ALLOWED_RETURN_ORIGINS or pass an absolute URL on an allowed origin.`)
  if (raw.length > MAX_RETURN_URL_LENGTH) throw refuse(`is longer than ${MAX_RETURN_URL_LENGTH} characters`)
  // Control characters, spaces and backslashes are stripped or rewritten by URL parsers.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) throw refuse('contains whitespace, control characters or backslashes')
  const scheme = /^(https?):\/\/([^/?#]*)/i.exec(raw)
  if (!scheme) throw refuse('is not an absolute http(s) URL')
  if ((scheme[2] ?? '').includes('@')) throw refuse('carries user information')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw refuse('is not a valid URL')
  }
  if (url.username !== '' || url.password !== '') throw refuse('carries user information')
  if (!allowedOrigins.has(url.origin)) throw refuse('is not on an allowed origin')
  return url
}
