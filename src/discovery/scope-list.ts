/**
 * Scope values found by discovery (a challenge's `scope`, `scopes_supported` in either metadata
 * document) checked against the scope-token grammar of RFC 6749 section 3.3, so nothing but
 * scope tokens ever reaches an authorization URL.
 */

/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/** Whether `value` is one scope token. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value)
}

/**
 * The tokens of a space-delimited scope string (RFC 6749 section 3.3), or null when it is empty
 * or holds anything that is not a scope token. Runs of spaces are tolerated.
 */
export function parseScopeString(value: string): string[] | null {
  const tokens = value.split(' ').filter((token) => token !== '')
  if (tokens.length === 0 || !tokens.every(isScopeToken)) return null
  return [...new Set(tokens)]
}
