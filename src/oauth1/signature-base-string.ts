/**
 * RFC 5849 section 3.4.1: the signature base string, `METHOD&base-string-URI&parameters`.
 * The parameters are every name/value pair the provider will see and check: the query of the
 * request URI, the OAuth protocol parameters (without `oauth_signature`; `realm` is never
 * among them) and an application/x-www-form-urlencoded body. Both sides decode the query and
 * body the same way (`+` is a space, section 3.4.1.3.1), so the pairs are compared decoded and
 * encoded again with section 3.6's encoding.
 */
import { percentEncode } from './percent-encode.ts'

/** One request parameter, decoded. Names may repeat (section 3.4.1.3.2 sorts by value then). */
export type ParameterPair = readonly [name: string, value: string]

/**
 * Section 3.4.1.2: scheme and host lower-case, the port only when it is not the scheme's
 * default, the path as sent (at least `/`), no query, no fragment. WHATWG URL parsing already
 * lower-cases scheme and host and drops a default port, and `fetch` sends that same serialized
 * path, so what is signed is what the provider receives.
 */
export function baseStringUri(url: URL): string {
  const path = url.pathname === '' ? '/' : url.pathname
  return `${url.protocol.toLowerCase()}//${url.host.toLowerCase()}${path}`
}

/**
 * Section 3.4.1.3.1: the query's pairs and, when the body is application/x-www-form-urlencoded
 * (`formBody`, the raw body text), the body's pairs, each decoded as form data. Any
 * `oauth_signature` among them is left out (section 3.4.1.3.1 excludes it wherever it is).
 */
export function requestParameters(url: URL, formBody: string | null): ParameterPair[] {
  const pairs: ParameterPair[] = [...new URLSearchParams(url.search)]
  if (formBody !== null) pairs.push(...new URLSearchParams(formBody))
  return pairs.filter(([name]) => name !== 'oauth_signature')
}

/**
 * Section 3.4.1.3.2: each name and value percent-encoded, sorted by encoded name, then by
 * encoded value (byte order: the encodings are ASCII, so code-unit order is byte order),
 * joined as `name=value` pairs by `&`.
 */
export function normalizeParameters(pairs: readonly ParameterPair[]): string {
  const encoded = pairs.map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
  encoded.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
  return encoded.map(([name, value]) => `${name}=${value}`).join('&')
}

/** Section 3.4.1.1: the method upper-case, then the encoded base string URI and normalized parameters. */
export function signatureBaseString(method: string, url: URL, parameters: readonly ParameterPair[]): string {
  return `${method.toUpperCase()}&${percentEncode(baseStringUri(url))}&${percentEncode(normalizeParameters(parameters))}`
}

function compare(a: string, b: string): number {
  if (a < b) return -1
  return a > b ? 1 : 0
}
