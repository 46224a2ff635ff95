/**
 * The resource identifier of a protected resource (RFC 9728 section 1.2, RFC 8707 section 2):
 * the one string that the probe requests, that the protected resource metadata must repeat
 * exactly (RFC 9728 section 3.3), and that later goes out as the `resource` parameter.
 */
import { LatchkeyError } from '../errors.ts'

/**
 * The canonical identifier of a resource URL already checked by checkDiscoveredUrl: scheme and
 * host lowercased and the default port dropped (the URL parser's doing), and no "/" for an
 * empty path, the form the MCP specification asks clients to use. A query is refused: RFC 9728
 * says identifiers SHOULD NOT have one, and a query is where users paste API keys.
 */
export function canonicalResource(url: URL): string {
  if (url.search !== '' || url.href.includes('?')) throw new LatchkeyError('discovered_url_refused', 'The resource URL has a query; give the URL of the resource without one.')
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`
}

/**
 * Whether a metadata document's `resource` names `identifier`: code point for code point
 * (RFC 9728 section 6), except that a bare origin may be written with or without its "/",
 * which is the same URL and the same well-known URL either way.
 */
export function isSameResource(value: string, identifier: string): boolean {
  if (value === identifier) return true
  const origin = new URL(identifier)
  return origin.pathname === '/' && !identifier.endsWith('/') && value === `${identifier}/`
}
