/**
 * discoverResource end to end against a real local server playing an MCP server and its
 * authorization server: the snapshot it builds, the URLs it asks in the MCP specification's
 * order, and each refusal, after which nothing more is requested (a document naming the wrong
 * resource or issuer is never passed over for a later one).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type DiscoveryOptions, MCP_OPERATION_PROBE, discoverResource, mcpInitializeProbe } from '../../src/discovery/index.ts'
import { type LocalServer, challengeRoute, discoveryErrorCode, jsonRoute, loopbackPolicy, startLocalServer } from './local-server.ts'

let server: LocalServer
let options: DiscoveryOptions

beforeEach(async () => {
  server = await startLocalServer()
  options = { fetch, policy: loopbackPolicy() }
})

afterEach(async () => {
  await server.close()
})

/** Authorization server metadata for `issuer` whose endpoints live on the test server. */
function serverMetadata(issuer: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${server.origin}/authorize`,
    token_endpoint: `${server.origin}/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...fields,
  }
}

describe('discoverResource', () => {
  it("follows the challenge's resource_metadata and the issuer's RFC 8414 metadata to a snapshot", async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', challengeRoute(`Bearer resource_metadata="${server.origin}/custom/metadata.json", scope="files:read files:write"`))
    server.route('/custom/metadata.json', jsonRoute({ resource, authorization_servers: [server.origin], scopes_supported: ['profile'] }))
    server.route(
      '/.well-known/oauth-authorization-server',
      jsonRoute(
        serverMetadata(server.origin, {
          registration_endpoint: `${server.origin}/register`,
          client_id_metadata_document_supported: true,
          scopes_supported: ['files:read', 'offline_access'],
          token_endpoint_auth_methods_supported: ['none'],
          authorization_response_iss_parameter_supported: true,
        }),
      ),
    )
    expect(await discoverResource(resource, options)).toEqual({
      resource,
      resourceMetadataUrl: `${server.origin}/custom/metadata.json`,
      issuer: server.origin,
      authorizationEndpoint: `${server.origin}/authorize`,
      tokenEndpoint: `${server.origin}/token`,
      registrationEndpoint: `${server.origin}/register`,
      clientIdMetadataDocumentSupported: true,
      tokenEndpointAuthMethodsSupported: ['none'],
      issParameterSupported: true,
      scopes: ['files:read', 'files:write'],
      offlineAccessSupported: true,
    })
    expect(server.paths()).toEqual(['/mcp', '/custom/metadata.json', '/.well-known/oauth-authorization-server'])
    expect(server.requests[0]?.method).toBe('GET')
  })

  it('without a challenge reads the path-aware well-known URL first, and the issuer by OpenID path insertion', async () => {
    const resource = `${server.origin}/public/mcp`
    server.route('/public/mcp', challengeRoute(null))
    server.route('/.well-known/oauth-protected-resource/public/mcp', jsonRoute({ resource, authorization_servers: [`${server.origin}/tenant1`], scopes_supported: ['mcp:basic'] }))
    server.route('/.well-known/openid-configuration/tenant1', jsonRoute(serverMetadata(`${server.origin}/tenant1`)))
    const snapshot = await discoverResource(resource, options)
    expect(snapshot).toMatchObject({ resource, issuer: `${server.origin}/tenant1`, scopes: ['mcp:basic'], registrationEndpoint: null, offlineAccessSupported: false })
    expect(server.paths()).toEqual([
      '/public/mcp',
      '/.well-known/oauth-protected-resource/public/mcp',
      '/.well-known/oauth-authorization-server/tenant1',
      '/.well-known/openid-configuration/tenant1',
    ])
  })

  it('falls back to the root well-known URL, whose document names the origin, and to OpenID path appending', async () => {
    server.route('/mcp', challengeRoute(null))
    server.route('/.well-known/oauth-protected-resource', jsonRoute({ resource: server.origin, authorization_servers: [`${server.origin}/tenant1`] }))
    server.route('/tenant1/.well-known/openid-configuration', jsonRoute(serverMetadata(`${server.origin}/tenant1`)))
    const snapshot = await discoverResource(`${server.origin}/mcp`, options)
    expect(snapshot).toMatchObject({ resource: server.origin, resourceMetadataUrl: `${server.origin}/.well-known/oauth-protected-resource`, scopes: null })
    expect(server.paths()).toEqual([
      '/mcp',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-authorization-server/tenant1',
      '/.well-known/openid-configuration/tenant1',
      '/tenant1/.well-known/openid-configuration',
    ])
  })

  it('discovers through the well-known URLs when the resource answers the probe without a challenge', async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', jsonRoute({ ok: true }))
    server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
    server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
    expect((await discoverResource(resource, options)).tokenEndpoint).toBe(`${server.origin}/token`)
  })

  it('sends the MCP initialize request an MCP server challenges', async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', (request, response) => {
      const challenged = request.method === 'POST' && JSON.parse(request.body).method === 'initialize'
      challengeRoute(challenged ? `Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"` : null, challenged ? 401 : 405)(request, response)
    })
    server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
    server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
    await discoverResource(resource, { ...options, probe: mcpInitializeProbe('2025-11-25') })
    const probe = server.requests[0]
    expect(probe?.headers['content-type']).toBe('application/json')
    expect(probe?.headers.accept).toBe('application/json, text/event-stream')
    expect(JSON.parse(probe?.body ?? '')).toMatchObject({ jsonrpc: '2.0', method: 'initialize', params: { protocolVersion: '2025-11-25' } })
  })

  it('probes with an MCP operation when the server lets initialize through, and takes that challenge', async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', (request, response) => {
      const method: unknown = JSON.parse(request.body).method
      if (method === 'initialize') return jsonRoute({ jsonrpc: '2.0', id: 1, result: {} })(request, response)
      challengeRoute(`Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:basic"`)(request, response)
    })
    server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin], scopes_supported: ['mcp:profile'] }))
    server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
    const snapshot = await discoverResource(resource, { ...options, probe: [mcpInitializeProbe('2025-11-25'), MCP_OPERATION_PROBE] })
    expect(snapshot.scopes).toEqual(['mcp:basic'])
    const [first, second] = server.requests
    expect(JSON.parse(first?.body ?? '')).toMatchObject({ method: 'initialize' })
    expect(JSON.parse(second?.body ?? '')).toMatchObject({ method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } })
    expect(second?.headers['mcp-protocol-version']).toBe('2026-07-28')
  })

  it('stops probing at the first challenge', async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', challengeRoute(`Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`))
    server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
    server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
    await discoverResource(resource, { ...options, probe: [mcpInitializeProbe('2025-11-25'), MCP_OPERATION_PROBE] })
    expect(server.requests.filter((request) => request.path === '/mcp')).toHaveLength(1)
  })

  it('takes the scope of a 403 insufficient_scope challenge', async () => {
    const resource = `${server.origin}/mcp`
    server.route('/mcp', challengeRoute(`Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`, 403))
    server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin], scopes_supported: ['mcp:profile'] }))
    server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
    expect((await discoverResource(resource, options)).scopes).toEqual(['mcp:write'])
  })

  describe('refuses', () => {
    it('authorization server metadata naming another issuer, and tries no other URL', async () => {
      const resource = `${server.origin}/mcp`
      server.route('/mcp', challengeRoute(`Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
      server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata('https://attacker.example.com')))
      server.route('/.well-known/openid-configuration', jsonRoute(serverMetadata(server.origin)))
      expect(await discoveryErrorCode(() => discoverResource(resource, options))).toBe('issuer_mismatch')
      expect(server.paths()).not.toContain('/.well-known/openid-configuration')
    })

    it('protected resource metadata about another resource (the challenge path), and asks no authorization server', async () => {
      server.route('/mcp', challengeRoute(`Bearer resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource: 'https://evil.example.com/mcp', authorization_servers: [server.origin] }))
      server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin)))
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('resource_mismatch')
      expect(server.paths()).toEqual(['/mcp', '/.well-known/oauth-protected-resource/mcp'])
    })

    it('a path-aware document naming the origin instead of the resource (the well-known path), and does not try the root', async () => {
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource: server.origin, authorization_servers: [server.origin] }))
      server.route('/.well-known/oauth-protected-resource', jsonRoute({ resource: server.origin, authorization_servers: [server.origin] }))
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('resource_mismatch')
      expect(server.paths()).toEqual(['/mcp', '/.well-known/oauth-protected-resource/mcp'])
    })

    it.each([
      ['no code_challenge_methods_supported', { code_challenge_methods_supported: undefined }],
      ['plain only', { code_challenge_methods_supported: ['plain'] }],
    ])('an authorization server with %s (PKCE not supported)', async (_case, fields) => {
      const resource = `${server.origin}/mcp`
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
      server.route('/.well-known/oauth-authorization-server', jsonRoute(serverMetadata(server.origin, fields)))
      expect(await discoveryErrorCode(() => discoverResource(resource, options))).toBe('pkce_not_supported')
    })

    it('a probe answered with a redirect, without following it', async () => {
      server.route('/mcp', (_request, response) => response.writeHead(302, { Location: `${server.origin}/trap` }).end())
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('discovery_failed')
      expect(server.paths()).toEqual(['/mcp'])
    })

    it('metadata answered with a redirect, without following it', async () => {
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', (_request, response) => response.writeHead(301, { Location: `${server.origin}/trap` }).end())
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('discovery_failed')
      expect(server.paths()).toEqual(['/mcp', '/.well-known/oauth-protected-resource/mcp'])
    })

    it('an oversized metadata document', async () => {
      const resource = `${server.origin}/mcp`
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin], padding: 'x'.repeat(64 * 1024) }))
      expect(await discoveryErrorCode(() => discoverResource(resource, options))).toBe('discovery_failed')
    })

    it('a resource that never answers, once the caller gives up', async () => {
      const controller = new AbortController()
      server.route('/mcp', () => controller.abort())
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, { ...options, signal: controller.signal }))).toBe('discovery_failed')
    })

    it('an authorization server that never answers, within the time limit', async () => {
      const resource = `${server.origin}/mcp`
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, authorization_servers: [server.origin] }))
      server.route('/.well-known/oauth-authorization-server', () => {})
      expect(await discoveryErrorCode(() => discoverResource(resource, { ...options, timeoutMs: 200 }))).toBe('discovery_failed')
    })

    it('a resource with no protected resource metadata anywhere', async () => {
      server.route('/mcp', challengeRoute('Bearer realm="mcp"'))
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('discovery_failed')
      expect(server.paths()).toEqual(['/mcp', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])
    })

    it('a challenge whose resource_metadata answers 404, without guessing other URLs', async () => {
      server.route('/mcp', challengeRoute(`Bearer resource_metadata="${server.origin}/gone.json"`))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource: `${server.origin}/mcp`, authorization_servers: [server.origin] }))
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('discovery_failed')
      expect(server.paths()).toEqual(['/mcp', '/gone.json'])
    })

    it.each([
      ['an IP literal', 'https://10.0.0.1/.well-known/oauth-protected-resource'],
      ['user information', 'https://user:pw@mcp.example.com/.well-known/oauth-protected-resource'],
      ['http on a public host', 'http://mcp.example.com/.well-known/oauth-protected-resource'],
      ["Latchkey's own host", 'https://latchkey.test/.well-known/oauth-protected-resource'],
      ['a name under localhost', 'http://evil.localhost/.well-known/oauth-protected-resource'],
    ])('a resource_metadata URL with %s, before fetching it', async (_case, url) => {
      server.route('/mcp', challengeRoute(`Bearer resource_metadata="${url}"`))
      expect(await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, options))).toBe('discovered_url_refused')
      expect(server.paths()).toEqual(['/mcp'])
    })

    it.each([
      ['an authorization server over http', { authorization_servers: ['http://auth.example.com'] }],
      ['an authorization server on an IP literal', { authorization_servers: ['https://169.254.169.254'] }],
    ])('protected resource metadata naming %s, before fetching it', async (_case, fields) => {
      const resource = `${server.origin}/mcp`
      server.route('/mcp', challengeRoute(null))
      server.route('/.well-known/oauth-protected-resource/mcp', jsonRoute({ resource, ...fields }))
      expect(await discoveryErrorCode(() => discoverResource(resource, options))).toBe('discovered_url_refused')
      expect(server.paths()).toEqual(['/mcp', '/.well-known/oauth-protected-resource/mcp'])
    })

    it("a resource on Latchkey's own host, before any request", async () => {
      const code = await discoveryErrorCode(() => discoverResource(`${server.origin}/mcp`, { ...options, policy: loopbackPolicy(server.origin) }))
      expect(code).toBe('discovered_url_refused')
      expect(server.requests).toEqual([])
    })

    it.each([
      ['over http on a public host', 'http://mcp.example.com/mcp'],
      ['on an IP literal', 'https://203.0.113.7/mcp'],
      ['with user information', 'https://user@mcp.example.com/mcp'],
      ['with a query', 'https://mcp.example.com/mcp?api_key=secret'],
      ['on loopback without ALLOW_INSECURE_LOOPBACK', 'http://127.0.0.1:9/mcp'],
    ])('a resource URL %s, before any request', async (_case, url) => {
      const requested: string[] = []
      const recordingFetch: typeof fetch = async (input) => {
        requested.push(String(input))
        return new Response(null, { status: 500 })
      }
      const policy = { latchkeyBaseUrl: 'https://latchkey.test', allowInsecureLoopback: false }
      expect(await discoveryErrorCode(() => discoverResource(url, { fetch: recordingFetch, policy }))).toBe('discovered_url_refused')
      expect(requested).toEqual([])
    })
  })
})
