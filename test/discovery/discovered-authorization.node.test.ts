/**
 * What a discovered connection requests and keeps (src/discovery/discovered-authorization.ts):
 * the scope selection of the MCP specification, the step-up union, the bound on scopes a
 * hostile resource can make Latchkey remember, and the OAuth configuration each step uses.
 */
import { describe, expect, it } from 'vitest'
import type { DiscoverySnapshot } from '../../src/discovery/discover-resource.ts'
import {
  MAX_SCOPES,
  type DiscoveredAuthorization,
  discoveredAuthorization,
  discoveredOAuthConfig,
  isDiscoveredAuthorization,
  reconnectScopes,
  scopesToRequest,
  withStepUpScopes,
} from '../../src/discovery/discovered-authorization.ts'

const snapshot: DiscoverySnapshot = {
  resource: 'https://mcp.example.com/mcp',
  resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
  issuer: 'https://auth.example.com',
  authorizationEndpoint: 'https://auth.example.com/authorize',
  tokenEndpoint: 'https://auth.example.com/token',
  registrationEndpoint: 'https://auth.example.com/register',
  clientIdMetadataDocumentSupported: false,
  tokenEndpointAuthMethodsSupported: ['client_secret_basic'],
  issParameterSupported: true,
  scopes: ['mcp:read'],
  offlineAccessSupported: true,
}

const client = { clientId: 'dyn-1', clientSecret: 'shh', tokenEndpointAuthMethod: 'client_secret_basic' as const, source: 'dynamic' as const }

function authorization(fields: Partial<DiscoveredAuthorization> = {}): DiscoveredAuthorization {
  return { ...discoveredAuthorization(snapshot, client, ['mcp:read', 'offline_access']), ...fields }
}

describe('scopesToRequest', () => {
  it("asks for the resource's scopes, then offline_access when the authorization server lists it", () => {
    expect(scopesToRequest(snapshot, null)).toEqual(['mcp:read', 'offline_access'])
    expect(scopesToRequest({ ...snapshot, offlineAccessSupported: false }, null)).toEqual(['mcp:read'])
  })

  it('sends no scope at all when the resource names none, offline_access included', () => {
    expect(scopesToRequest({ ...snapshot, scopes: null }, null)).toEqual([])
  })

  it('never asks for offline_access the authorization server does not list, whatever the resource says', () => {
    expect(scopesToRequest({ ...snapshot, scopes: ['mcp:read', 'offline_access'], offlineAccessSupported: false }, null)).toEqual(['mcp:read'])
  })

  it('adds what a reconnect had (and a step-up asked for) only for the same resource and issuer', () => {
    const earlier = { resource: snapshot.resource, issuer: snapshot.issuer, scopes: ['mcp:read', 'mcp:write', 'offline_access'] }
    expect(scopesToRequest(snapshot, earlier)).toEqual(['mcp:read', 'mcp:write', 'offline_access'])
    expect(scopesToRequest(snapshot, { ...earlier, issuer: 'https://other.example.com' })).toEqual(['mcp:read', 'offline_access'])
    expect(scopesToRequest(snapshot, { ...earlier, resource: 'https://mcp.example.com/other' })).toEqual(['mcp:read', 'offline_access'])
  })

  it(`asks for at most ${MAX_SCOPES} scopes`, () => {
    const many = Array.from({ length: 200 }, (_, index) => `s${index}`)
    const scopes = scopesToRequest({ ...snapshot, scopes: many }, null)
    expect(scopes).toHaveLength(MAX_SCOPES)
    expect(scopes.at(-1)).toBe('offline_access')
  })
})

describe('step-up scopes', () => {
  it('remembers the challenged scopes once, and a reconnect starts from the union', () => {
    const once = withStepUpScopes(authorization(), ['mcp:read', 'mcp:write'])
    expect(once.stepUpScopes).toEqual(['mcp:write'])
    expect(withStepUpScopes(once, ['mcp:write'])).toBe(once)
    expect(reconnectScopes(once)).toEqual({ resource: snapshot.resource, issuer: snapshot.issuer, scopes: ['mcp:read', 'offline_access', 'mcp:write'] })
  })

  it(`remembers at most ${MAX_SCOPES} scopes in all, however many a resource asks for`, () => {
    let current = authorization()
    for (let round = 0; round < 10; round += 1)
      current = withStepUpScopes(
        current,
        Array.from({ length: 50 }, (_, index) => `r${round}-${index}`),
      )
    expect(reconnectScopes(current).scopes).toHaveLength(MAX_SCOPES)
  })
})

describe('discoveredOAuthConfig', () => {
  it('uses the discovered endpoints, the resource and the client as it authenticates now', () => {
    expect(discoveredOAuthConfig(authorization(), client)).toMatchObject({
      clientId: 'dyn-1',
      clientSecret: 'shh',
      clientAuthLocation: 'headers',
      authorizeUri: snapshot.authorizationEndpoint,
      tokenUri: snapshot.tokenEndpoint,
      issuer: snapshot.issuer,
      resource: snapshot.resource,
      skipPkce: false,
      extra: {},
    })
    expect(discoveredOAuthConfig(authorization(), { ...client, tokenEndpointAuthMethod: 'client_secret_post' }).clientAuthLocation).toBe('body')
    const publicClient = discoveredOAuthConfig(authorization(), {
      clientId: 'https://latchkey.example/oauth/client-metadata.json',
      clientSecret: null,
      tokenEndpointAuthMethod: 'none',
    })
    expect(publicClient.clientSecret).toBeUndefined()
    expect(publicClient.clientAuthLocation).toBeUndefined()
  })
})

describe('isDiscoveredAuthorization', () => {
  it('accepts what discoveredAuthorization makes and refuses corrupt values', () => {
    expect(isDiscoveredAuthorization(authorization())).toBe(true)
    expect(isDiscoveredAuthorization({ ...authorization(), client: { clientId: '', source: 'dynamic' } })).toBe(false)
    expect(isDiscoveredAuthorization({ ...authorization(), client: { clientId: 'x', source: 'borrowed' } })).toBe(false)
    expect(isDiscoveredAuthorization({ ...authorization(), tokenEndpoint: 42 })).toBe(false)
    expect(isDiscoveredAuthorization({ ...authorization(), stepUpScopes: [1] })).toBe(false)
    expect(isDiscoveredAuthorization(null)).toBe(false)
  })
})
