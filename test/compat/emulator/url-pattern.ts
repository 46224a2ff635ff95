/**
 * URL patterns for emulator routes, written like the providers' documentation writes them:
 * `https://{shop}.myshopify.com/admin/oauth/authorize`,
 * `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`. A `{name}` matches one host
 * label or one path segment. (URLPattern is not in Node 20, hence this.)
 */

/** A compiled pattern: `match` returns the named parts, or null. */
export interface UrlPattern {
  readonly source: string
  match(url: URL): Record<string, string> | null
}

/** Compiles `pattern` (an absolute https URL without query, with `{name}` placeholders). */
export function urlPattern(pattern: string): UrlPattern {
  const separator = pattern.indexOf('/', 'https://'.length)
  const host = compilePart(pattern.slice('https://'.length, separator === -1 ? undefined : separator), '[^./]+')
  const path = compilePart(separator === -1 ? '/' : pattern.slice(separator), '[^/]+')
  return {
    source: pattern,
    match(url) {
      if (url.protocol !== 'https:') return null
      const hostMatch = host.exec(url.hostname)
      const pathMatch = path.exec(url.pathname)
      if (hostMatch === null || pathMatch === null) return null
      return { ...hostMatch.groups, ...pathMatch.groups }
    },
  }
}

function compilePart(part: string, placeholder: string): RegExp {
  const source = part
    .split(/(\{[A-Za-z][A-Za-z0-9]*\})/)
    .map((piece) => (/^\{.+\}$/.test(piece) ? `(?<${piece.slice(1, -1)}>${placeholder})` : piece.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`)
}
