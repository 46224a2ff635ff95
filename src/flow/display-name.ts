/**
 * Trust boundary: the display name of a tenant (S21), the `name` claim of page and connect
 * tokens and the `displayName` option of `createConnectUrl`. Pages show it so the person
 * sees whose connections they are looking at and whose account a connection will land in
 * ("Connections of Alice <alice@example.com>"): a login CSRF link for another tenant is then
 * visible. Pure: it only decides whether a value may be shown; hono/html escapes it.
 *
 * Accepted: a string of 1 to 128 characters with something besides spaces, and none of the
 * characters that make shown text lie about itself: control characters (C0, DEL, C1), line
 * and paragraph separators, zero-width characters, bidirectional controls (which can reverse
 * "Alice" into what looks like another name), or unpaired surrogates.
 */

/** Longest display name accepted, in UTF-16 code units. */
export const MAX_DISPLAY_NAME_LENGTH = 128

/** Characters a shown name must not contain (see the header). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const EVERY_DECEPTIVE = new RegExp(DECEPTIVE.source, 'g')

/** `value` without the characters a shown name must not contain: text from elsewhere (a provider's account label) made showable. */
export function withoutDeceptiveCharacters(value: string): string {
  return value.replace(EVERY_DECEPTIVE, '')
}

/** Why a display name was refused, or null when it may be shown. */
export function displayNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'is not a string'
  if (value.trim() === '') return 'is empty'
  if (value.length > MAX_DISPLAY_NAME_LENGTH) return `is longer than ${MAX_DISPLAY_NAME_LENGTH} characters`
  if (DECEPTIVE.test(value)) return 'contains control, zero-width or bidirectional characters'
  return null
}
