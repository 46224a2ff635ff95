/**
 * The rules for every URL discovery may request or hand on: the resource URL a user typed and
 * every URL a resource or authorization server names (resource_metadata, authorization servers,
 * endpoints). All of them are attacker-influenced, so before anything is fetched each must be:
 * https; a DNS name with at least one dot, not an IP literal in any spelling (the URL parser turns
 * decimal, octal and hex IPv4 forms into dotted quads, which are then refused); without user
 * information or a fragment; not Latchkey's own host (PUBLIC_BASE_URL's); at most 2048 characters.
 *
 * Loopback (localhost, 127.0.0.0/8, [::1]) is refused too, except with ALLOW_INSECURE_LOOPBACK,
 * the setting for local development and tests (`npm run deploy` refuses to ship it): then
 * loopback URLs are allowed over http or https, so tests can run real local servers. These rules
 * do not see where a name resolves: a Worker fetches from Cloudflare's network, not from the
 * deployment's, and the `global_fetch_strictly_public` compatibility flag (issue #17) sends even
 * a host on Latchkey's own zone through Cloudflare's front door instead of straight to its origin.
 */
import { isLoopbackHost } from '../loopback-host.ts'
import { LatchkeyError } from '../errors.ts'

/** What the rules depend on, from the deployment settings. */
export interface DiscoveredUrlPolicy {
  /** PUBLIC_BASE_URL: discovery never sends a request to Latchkey's own host. */
  latchkeyBaseUrl: string | undefined
  /** ALLOW_INSECURE_LOOPBACK="true": loopback hosts allowed, over http too (local development and tests only). */
  allowInsecureLoopback: boolean
}

/** Longer URLs are refused; real metadata and endpoint URLs are far shorter. */
export const MAX_DISCOVERED_URL_LENGTH = 2048

/**
 * `value` parsed, when it follows the rules above; otherwise throws `discovered_url_refused`.
 * `what` names the URL in the message ("The resource URL"); the URL itself is never quoted.
 */
export function checkDiscoveredUrl(value: unknown, what: string, policy: DiscoveredUrlPolicy): URL {
  const problem = typeof value === 'string' ? urlProblem(value, policy) : 'is not a string.'
  if (typeof problem === 'string') throw new LatchkeyError('discovered_url_refused', `${what} ${problem}`)
  return problem
}

/** The parsed URL, or why it breaks the rules (the end of a sentence about it). */
function urlProblem(value: string, policy: DiscoveredUrlPolicy): URL | string {
  if (value.length > MAX_DISCOVERED_URL_LENGTH) return `is longer than ${MAX_DISCOVERED_URL_LENGTH} characters.`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'is not an absolute URL.'
  }
  if (url.hash !== '' || value.includes('#')) return 'has a fragment.'
  if (url.username !== '' || url.password !== '' || authorityOf(value).includes('@')) return 'carries user information.'
  const hostname = url.hostname.replace(/\.$/, '')
  if (isLoopbackHost(hostname) || hostname.endsWith('.localhost')) {
    if (!policy.allowInsecureLoopback || !isLoopbackHost(hostname)) return 'is on a loopback host.'
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not https.'
  } else {
    if (url.protocol !== 'https:') return 'is not https.'
    if (isIpLiteral(hostname)) return 'names an IP address instead of a host name.'
    if (!hostname.includes('.')) return 'names a host without a domain (a single-label name resolves inside private networks).'
  }
  if (isLatchkeyHost(url, policy)) return "is Latchkey's own host."
  return url
}

/** The authority of an absolute URL as written, before the parser normalises it. */
function authorityOf(value: string): string {
  const afterScheme = value.slice(value.indexOf(':') + 1).replace(/^[/\\]*/, '')
  return afterScheme.split(/[/\\?#]/, 1)[0] ?? ''
}

/**
 * An IPv6 literal, a dotted quad, or a name whose last label is numeric: the parser already
 * rewrote IPv4 in other spellings to a dotted quad, and a numeric last label is never a DNS name.
 */
function isIpLiteral(hostname: string): boolean {
  if (hostname.startsWith('[')) return true
  const lastLabel = hostname.slice(hostname.lastIndexOf('.') + 1)
  return /^(0x[0-9a-f]*|[0-9]+)$/i.test(lastLabel)
}

/**
 * Whether `url` is on PUBLIC_BASE_URL's host. Any port of that host name counts; on loopback,
 * where one machine runs many services, the port decides, and every loopback name is one machine.
 */
function isLatchkeyHost(url: URL, policy: DiscoveredUrlPolicy): boolean {
  if (policy.latchkeyBaseUrl === undefined) return false
  let latchkey: URL
  try {
    latchkey = new URL(policy.latchkeyBaseUrl)
  } catch {
    // settings.ts refuses a malformed PUBLIC_BASE_URL before any route could get here.
    return false
  }
  const hostname = url.hostname.replace(/\.$/, '')
  const latchkeyHostname = latchkey.hostname.replace(/\.$/, '')
  if (isLoopbackHost(hostname) && isLoopbackHost(latchkeyHostname)) return portOf(url) === portOf(latchkey)
  return hostname === latchkeyHostname
}

function portOf(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'
}
