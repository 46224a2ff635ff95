/**
 * Discovery of a self-describing OAuth-protected resource (issue #17), from its URL alone:
 * probe the resource; read the protected resource metadata its challenge names, or else the
 * well-known URLs in order (RFC 9728); read the first authorization server's metadata (RFC 8414
 * / OpenID discovery, in the MCP specification's order). Everything is validated on the way and
 * the result is a snapshot, a plain JSON value meant to be stored with the pending authorization
 * and then the connection, so refresh never discovers again.
 *
 * At most seven requests: the probes (two for an MCP server that lets `initialize` through), two
 * metadata locations of the resource, three of the issuer.
 * A location answering 4xx means "not here" and the next one is tried; any other failure, and
 * every failed validation, ends discovery at once: a document that names the wrong resource or
 * issuer is never passed over for a later one.
 */
import { type AuthorizationServerMetadata, authorizationServerMetadataUrls, checkIssuerIdentifier, processAuthorizationServerMetadata } from './authorization-server-metadata.ts'
import { type DiscoveredUrlPolicy, checkDiscoveredUrl } from './discovered-url.ts'
import { LatchkeyError } from '../errors.ts'
import { type DiscoveryFetchOptions, type DiscoveryRequest, fetchMetadataDocument } from './discovery-fetch.ts'
import {
  type ProtectedResourceMetadata,
  type ResourceMetadataLocation,
  processProtectedResourceMetadata,
  protectedResourceMetadataLocations,
} from './protected-resource-metadata.ts'
import { canonicalResource } from './resource-identifier.ts'
import { GET_PROBE, probeResource } from './resource-probe.ts'
import type { BearerChallenge } from './www-authenticate.ts'

/** How to discover. */
export interface DiscoveryOptions extends DiscoveryFetchOptions {
  /** The URL rules' settings (PUBLIC_BASE_URL, ALLOW_INSECURE_LOOPBACK). */
  policy: DiscoveredUrlPolicy
  /**
   * The unauthenticated requests that make the resource challenge, sent in order until one is
   * answered with a challenge; default GET_PROBE (for MCP servers: mcpInitializeProbe, then
   * MCP_OPERATION_PROBE for servers that let `initialize` through).
   */
  probe?: DiscoveryRequest | readonly DiscoveryRequest[] | undefined
}

/** Everything a connection to the resource needs from discovery; JSON-serialisable. */
export interface DiscoverySnapshot {
  /** The resource identifier the metadata confirmed; the RFC 8707 `resource` parameter of authorization and token requests. */
  resource: string
  /** Where the protected resource metadata was read. */
  resourceMetadataUrl: string
  /** The authorization server's issuer identifier, exactly as both documents state it: the `iss` to expect (RFC 9207) and the key of its client registration. */
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  registrationEndpoint: string | null
  clientIdMetadataDocumentSupported: boolean
  tokenEndpointAuthMethodsSupported: string[]
  /** `authorization_response_iss_parameter_supported`: a callback without `iss` is then refused. */
  issParameterSupported: boolean
  /** Scopes to request (MCP scope selection): the challenge's `scope`, else the resource's `scopes_supported`, else null (send no `scope`). */
  scopes: string[] | null
  /** The authorization server lists `offline_access` in `scopes_supported`, so it may be added to get a refresh token (MCP 2026-07-28, "Refresh Tokens"). */
  offlineAccessSupported: boolean
}

/**
 * Discovers how to get a token for the resource at `resourceUrl` (typed by a user or an
 * operator). Throws a LatchkeyError: `discovered_url_refused`, `discovery_failed`,
 * `resource_metadata_invalid`, `resource_mismatch`, `authorization_server_metadata_invalid`,
 * `issuer_mismatch` or `pkce_not_supported`.
 */
export async function discoverResource(resourceUrl: string, options: DiscoveryOptions): Promise<DiscoverySnapshot> {
  const resource = canonicalResource(checkDiscoveredUrl(resourceUrl, 'The resource URL', options.policy))
  const challenge = await challengeOf(resource, options)
  const locations: ResourceMetadataLocation[] =
    challenge?.resourceMetadata != null
      ? [{ url: checkDiscoveredUrl(challenge.resourceMetadata, "The resource_metadata URL of the resource's challenge", options.policy), expectedResource: resource }]
      : protectedResourceMetadataLocations(resource)
  const { location, metadata: resourceMetadata } = await readResourceMetadata(locations, options)
  // The first listed server (RFC 9728 section 7.6 leaves the choice to the client); the list is never empty.
  const issuer = resourceMetadata.authorizationServers[0] as string
  const serverMetadata = await readAuthorizationServerMetadata(issuer, options)
  return {
    resource: resourceMetadata.resource,
    resourceMetadataUrl: location.url.href,
    issuer: serverMetadata.issuer,
    authorizationEndpoint: serverMetadata.authorizationEndpoint,
    tokenEndpoint: serverMetadata.tokenEndpoint,
    registrationEndpoint: serverMetadata.registrationEndpoint,
    clientIdMetadataDocumentSupported: serverMetadata.clientIdMetadataDocumentSupported,
    tokenEndpointAuthMethodsSupported: serverMetadata.tokenEndpointAuthMethodsSupported,
    issParameterSupported: serverMetadata.issParameterSupported,
    scopes: challenge?.scope ?? resourceMetadata.scopesSupported,
    offlineAccessSupported: serverMetadata.scopesSupported?.includes('offline_access') ?? false,
  }
}

/** The first Bearer challenge the probes draw from the resource, or null when none does. */
async function challengeOf(resource: string, options: DiscoveryOptions): Promise<BearerChallenge | null> {
  const probes = options.probe === undefined ? [GET_PROBE] : Array.isArray(options.probe) ? options.probe : [options.probe as DiscoveryRequest]
  for (const probe of probes) {
    const { status, challenge } = await probeResource(resource, probe, options)
    if (status === 401 || status === 403) return challenge
  }
  return null
}

async function readResourceMetadata(
  locations: ResourceMetadataLocation[],
  options: DiscoveryOptions,
): Promise<{ location: ResourceMetadataLocation; metadata: ProtectedResourceMetadata }> {
  for (const location of locations) {
    const result = await fetchMetadataDocument(location.url, 'The protected resource metadata', options)
    if (result.found) return { location, metadata: processProtectedResourceMetadata(result.document, location.expectedResource, options.policy) }
  }
  throw new LatchkeyError('discovery_failed', 'The resource publishes no protected resource metadata (RFC 9728) where its challenge or the well-known URLs say.')
}

async function readAuthorizationServerMetadata(issuer: string, options: DiscoveryOptions): Promise<AuthorizationServerMetadata> {
  const issuerUrl = checkIssuerIdentifier(issuer, 'The authorization server', options.policy)
  for (const url of authorizationServerMetadataUrls(issuerUrl)) {
    const result = await fetchMetadataDocument(url, 'The authorization server metadata', options)
    if (result.found) return processAuthorizationServerMetadata(result.document, issuer, options.policy)
  }
  throw new LatchkeyError('discovery_failed', 'The authorization server publishes no metadata at any RFC 8414 or OpenID discovery URL.')
}
