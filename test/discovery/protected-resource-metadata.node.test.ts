/**
 * Protected resource metadata (RFC 9728): the resource identifier a URL canonicalises to, the
 * well-known locations in the MCP specification's order with the identifier each document must
 * name, and the validation of one document (RFC 9728 section 3.3 exact `resource`, a non-empty
 * list of allowed authorization servers, scope tokens).
 */
import { describe, expect, it } from 'vitest'
import { type DiscoveredUrlPolicy, canonicalResource, isSameResource, processProtectedResourceMetadata, protectedResourceMetadataLocations } from '../../src/discovery/index.ts'
import { discoveryErrorCode } from './local-server.ts'

const POLICY: DiscoveredUrlPolicy = { latchkeyBaseUrl: 'https://latchkey.example.com', allowInsecureLoopback: false }
const RESOURCE = 'https://mcp.example.com/public/mcp'

describe('canonicalResource', () => {
  it.each([
    ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp'],
    ['HTTPS://MCP.Example.COM/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:8443', 'https://mcp.example.com:8443'],
    ['https://mcp.example.com/', 'https://mcp.example.com'],
    ['https://mcp.example.com', 'https://mcp.example.com'],
    ['https://mcp.example.com/server/mcp/', 'https://mcp.example.com/server/mcp/'],
  ])('canonicalises %s to %s', (url, identifier) => {
    expect(canonicalResource(new URL(url))).toBe(identifier)
  })

  it.each(['https://mcp.example.com/mcp?api_key=secret', 'https://mcp.example.com/mcp?'])('refuses a resource URL with a query: %s', async (url) => {
    expect(await discoveryErrorCode(() => canonicalResource(new URL(url)))).toBe('discovered_url_refused')
  })
})

describe('isSameResource', () => {
  it.each([
    [RESOURCE, RESOURCE, true],
    ['https://mcp.example.com/', 'https://mcp.example.com', true],
    ['https://mcp.example.com', 'https://mcp.example.com', true],
    [`${RESOURCE}/`, RESOURCE, false],
    ['https://MCP.example.com/public/mcp', RESOURCE, false],
    ['https://mcp.example.com:443/public/mcp', RESOURCE, false],
    ['https://mcp.example.com', RESOURCE, false],
    ['https://evil.example.com/public/mcp', RESOURCE, false],
  ])('%s names %s: %s', (value, identifier, same) => {
    expect(isSameResource(value, identifier)).toBe(same)
  })
})

describe('protectedResourceMetadataLocations', () => {
  it('tries the path-aware URL, then the root, each expecting its own identifier', () => {
    const locations = protectedResourceMetadataLocations(RESOURCE)
    expect(locations.map((location) => [location.url.href, location.expectedResource])).toEqual([
      ['https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp', RESOURCE],
      ['https://mcp.example.com/.well-known/oauth-protected-resource', 'https://mcp.example.com'],
    ])
  })

  it('tries only the root for a resource at the root', () => {
    expect(protectedResourceMetadataLocations('https://mcp.example.com:8443').map((location) => [location.url.href, location.expectedResource])).toEqual([
      ['https://mcp.example.com:8443/.well-known/oauth-protected-resource', 'https://mcp.example.com:8443'],
    ])
  })

  it('drops a terminating slash of the path before inserting the well-known path', () => {
    expect(protectedResourceMetadataLocations('https://mcp.example.com/mcp/')[0]?.url.href).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp')
  })
})

describe('processProtectedResourceMetadata', () => {
  const valid = { resource: RESOURCE, authorization_servers: ['https://auth.example.com', 'https://auth.example.net/tenant1'], scopes_supported: ['files:read', 'files:write'] }

  it('reads the resource, its authorization servers in order and its scopes', () => {
    expect(processProtectedResourceMetadata({ ...valid, bearer_methods_supported: ['header'], unknown_member: { ignored: true } }, RESOURCE, POLICY)).toEqual({
      resource: RESOURCE,
      authorizationServers: ['https://auth.example.com', 'https://auth.example.net/tenant1'],
      scopesSupported: ['files:read', 'files:write'],
    })
  })

  it('reads absent scopes_supported as null', () => {
    expect(processProtectedResourceMetadata({ resource: RESOURCE, authorization_servers: ['https://auth.example.com'] }, RESOURCE, POLICY).scopesSupported).toBeNull()
  })

  it.each([
    ['another host', { ...valid, resource: 'https://evil.example.com/public/mcp' }],
    ['another path on the same host', { ...valid, resource: 'https://mcp.example.com/other/mcp' }],
    ['the origin only', { ...valid, resource: 'https://mcp.example.com' }],
    ['a trailing slash more', { ...valid, resource: `${RESOURCE}/` }],
    ['another case of the host', { ...valid, resource: 'https://MCP.example.com/public/mcp' }],
  ])('refuses a document about %s with resource_mismatch', async (_case, document) => {
    expect(await discoveryErrorCode(() => processProtectedResourceMetadata(document, RESOURCE, POLICY))).toBe('resource_mismatch')
  })

  it.each([
    ['no resource', { authorization_servers: ['https://auth.example.com'] }],
    ['a resource that is not a string', { resource: 7, authorization_servers: ['https://auth.example.com'] }],
    ['no authorization_servers', { resource: RESOURCE }],
    ['an empty authorization_servers', { resource: RESOURCE, authorization_servers: [] }],
    ['authorization_servers as a string', { resource: RESOURCE, authorization_servers: 'https://auth.example.com' }],
    ['an authorization server that is not a string', { resource: RESOURCE, authorization_servers: [{ issuer: 'https://auth.example.com' }] }],
    ['scopes_supported as a string', { ...valid, scopes_supported: 'files:read' }],
    ['a scope with a space', { ...valid, scopes_supported: ['files read'] }],
    ['an empty scope', { ...valid, scopes_supported: [''] }],
  ])('refuses a document with %s as resource_metadata_invalid', async (_case, document) => {
    expect(await discoveryErrorCode(() => processProtectedResourceMetadata(document, RESOURCE, POLICY))).toBe('resource_metadata_invalid')
  })

  it.each([
    ['http', 'http://auth.example.com'],
    ['an IP literal', 'https://10.0.0.1'],
    ['user information', 'https://user@auth.example.com'],
    ["Latchkey's own host", 'https://latchkey.example.com'],
    ['a query', 'https://auth.example.com?tenant=1'],
    ['a fragment', 'https://auth.example.com#x'],
  ])('refuses an authorization server with %s as discovered_url_refused', async (_case, server) => {
    const document = { ...valid, authorization_servers: ['https://auth.example.com', server] }
    expect(await discoveryErrorCode(() => processProtectedResourceMetadata(document, RESOURCE, POLICY))).toBe('discovered_url_refused')
  })
})
