/**
 * Discovery of self-describing OAuth-protected resources such as remote MCP servers (issue #17):
 * pure parsing and validation of what resources and authorization servers publish, and one
 * `discoverResource` that ties them together. The code lives in the sibling files; this file
 * only re-exports.
 */
export { type AuthChallenge, type BearerChallenge, bearerChallenge, parseWwwAuthenticate } from './www-authenticate.ts'
export { type DiscoveredUrlPolicy, MAX_DISCOVERED_URL_LENGTH, checkDiscoveredUrl } from './discovered-url.ts'
export { canonicalResource, isSameResource } from './resource-identifier.ts'
export {
  DEFAULT_DISCOVERY_TIMEOUT_MS,
  type DiscoveryFetchOptions,
  type DiscoveryRequest,
  MAX_DISCOVERY_BODY_BYTES,
  type MetadataDocumentResult,
  fetchMetadataDocument,
  sendDiscoveryRequest,
} from './discovery-fetch.ts'
export { GET_PROBE, MCP_OPERATION_PROBE, type ProbeResult, mcpInitializeProbe, probeResource } from './resource-probe.ts'
export {
  type ProtectedResourceMetadata,
  type ResourceMetadataLocation,
  processProtectedResourceMetadata,
  protectedResourceMetadataLocations,
} from './protected-resource-metadata.ts'
export {
  type AuthorizationServerMetadata,
  authorizationServerMetadataUrls,
  checkIssuerIdentifier,
  processAuthorizationServerMetadata,
} from './authorization-server-metadata.ts'
export { type DiscoverySnapshot, type DiscoveryOptions, discoverResource } from './discover-resource.ts'
