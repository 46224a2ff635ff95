/**
 * Trust boundary: a protected resource's metadata (RFC 9728). `protectedResourceMetadataLocations`
 * gives the well-known URLs to try when the resource's challenge names none, in the order of the
 * MCP authorization specification (2025-11-25 and 2026-07-28, "Protected Resource Metadata
 * Discovery Requirements"): path-aware first, then the root. Each location carries the resource
 * identifier its document must repeat exactly (RFC 9728 section 3.3): the resource itself for the
 * path-aware URL and for a `resource_metadata` URL from the challenge, the bare origin for the
 * root URL. `processProtectedResourceMetadata` validates one fetched document.
 */
import { checkIssuerIdentifier } from './authorization-server-metadata.ts'
import type { DiscoveredUrlPolicy } from './discovered-url.ts'
import { LatchkeyError } from '../errors.ts'
import { isSameResource } from './resource-identifier.ts'
import { isScopeToken } from './scope-list.ts'

/** What Latchkey uses of a protected resource's metadata. */
export interface ProtectedResourceMetadata {
  /** The resource identifier, as the document states it (it passed the RFC 9728 section 3.3 check). */
  resource: string
  /** `authorization_servers`: issuer identifiers, each checked by checkIssuerIdentifier, in the document's order. */
  authorizationServers: string[]
  /** `scopes_supported`, or null when absent. */
  scopesSupported: string[] | null
}

/** Where to look for the metadata, and the identifier the document found there must name. */
export interface ResourceMetadataLocation {
  url: URL
  expectedResource: string
}

const WELL_KNOWN_PATH = '/.well-known/oauth-protected-resource'

/**
 * The well-known locations for a canonical resource identifier (canonicalResource): with a path,
 * `/.well-known/oauth-protected-resource<path>` then the root `/.well-known/oauth-protected-resource`;
 * at the root, only the latter. A terminating "/" of the path is dropped before the insertion
 * (RFC 9728 section 3.1).
 */
export function protectedResourceMetadataLocations(resource: string): ResourceMetadataLocation[] {
  const url = new URL(resource)
  const origin = url.origin
  const path = url.pathname.replace(/\/+$/, '')
  const root: ResourceMetadataLocation = { url: new URL(`${origin}${WELL_KNOWN_PATH}`), expectedResource: origin }
  if (path === '') return [root]
  return [{ url: new URL(`${origin}${WELL_KNOWN_PATH}${path}`), expectedResource: resource }, root]
}

/**
 * Validates a document fetched from a location. Throws `resource_mismatch` when `resource` is not
 * `expectedResource`, `discovered_url_refused` for an authorization server that breaks the URL
 * rules, and `resource_metadata_invalid` for anything else malformed.
 */
export function processProtectedResourceMetadata(document: Record<string, unknown>, expectedResource: string, policy: DiscoveredUrlPolicy): ProtectedResourceMetadata {
  const resource = document['resource']
  if (typeof resource !== 'string') invalid('resource is missing or not a string.')
  if (!isSameResource(resource, expectedResource)) {
    throw new LatchkeyError('resource_mismatch', 'The protected resource metadata is about another resource than the one asked about; it is not used (RFC 9728 section 3.3).')
  }
  const servers = document['authorization_servers']
  if (!Array.isArray(servers) || servers.length === 0) invalid('authorization_servers is missing or empty.')
  const authorizationServers = servers.map((server: unknown) => {
    if (typeof server !== 'string') invalid('authorization_servers holds a value that is not a string.')
    checkIssuerIdentifier(server, 'An authorization server in the protected resource metadata', policy)
    return server
  })
  const scopes = document['scopes_supported']
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every(isScopeToken))) invalid('scopes_supported is not an array of scope tokens.')
  return { resource, authorizationServers, scopesSupported: scopes === undefined ? null : [...scopes] }
}

function invalid(problem: string): never {
  throw new LatchkeyError('resource_metadata_invalid', `The protected resource metadata is invalid: ${problem}`)
}
