/**
 * The authorization server of the MCP end-to-end tests (test/mcp/): a real oidc-provider, apart
 * from the e2e suite's one (test/setup/authorization-server.ts), configured the way a server that
 * protects a remote MCP server is: open dynamic client registration (RFC 7591), resource
 * indicators (RFC 8707) whose access tokens for the MCP server are RS256 JWTs (RFC 9068) with
 * `aud` = the resource and the scopes `mcp:read mcp:write`, PKCE S256 required, refresh tokens
 * rotated on every use, and `iss` on every authorization response (RFC 9207). Sign-in and
 * consent are the demo server's own pages (scripts/authorization-server/interaction-routes.ts:
 * any login name and password, then a consent that grants what was asked).
 *
 * What Latchkey sent is recorded, so tests can assert on it from workerd:
 *
 *   GET /__test/events   {events: McpAuthorizationServerEvent[]}: every registration request,
 *                        authorization request and token request, in arrival order.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { demoAccountsAndPages } from '../../scripts/authorization-server/provider-configuration.ts'
import { clientAuthenticationUsed } from '../../scripts/authorization-server/record-provider-activity.ts'
import type { ClientAuthenticationUsed } from '../../scripts/authorization-server/server-events.ts'
import { handleInteractionRequest, INTERACTION_PREFIX } from '../../scripts/authorization-server/interaction-routes.ts'
import { withoutDevelopmentOnlyWarnings } from '../../scripts/dev/oidc-provider-warnings.ts'

/** The MCP server's scopes: `mcp:read` for any MCP request, `mcp:write` for the `write` tool. */
export const MCP_SCOPES = { read: 'mcp:read', write: 'mcp:write' } as const

/** Endpoint paths (oidc-provider's defaults), also in `${issuer}/.well-known/openid-configuration`. */
export const MCP_AUTHORIZATION_SERVER_ROUTES = { authorization: '/auth', token: '/token', registration: '/reg', jwks: '/jwks' } as const

/** Path of the control call that lists what the server received. */
export const MCP_AUTHORIZATION_SERVER_EVENTS_PATH = '/__test/events'

/** A registration request (RFC 7591) as received, and the client id it got (null when refused). */
export interface RegistrationEvent {
  type: 'registration'
  /** The client metadata the client sent (a registration request carries no secret). */
  metadata: Record<string, unknown>
  status: number
  clientId: string | null
}

/** An authorization request as the browser brought it, before the server dropped anything. */
export interface AuthorizationEvent {
  type: 'authorization'
  /** Every query parameter in order, repeated ones repeated (`resource` may be). */
  parameters: Array<[string, string]>
}

/** A token request, as answered. */
export interface TokenEvent {
  type: 'token'
  grantType: string | null
  clientId: string | null
  clientAuthentication: ClientAuthenticationUsed
  /** The RFC 8707 `resource` parameters sent (none: empty). */
  resource: string[]
  scope: string | null
  status: number
  /** The OAuth error answered (`invalid_grant`...), null on success. */
  error: string | null
  /** The server's own reason, which the answer hides ("PKCE verification failed"...). */
  errorDetail: string | null
}

export type McpAuthorizationServerEvent = RegistrationEvent | AuthorizationEvent | TokenEvent

/** A running server. */
export interface McpAuthorizationServer {
  /** `http://127.0.0.1:<port>`: issuer identifier and origin of every endpoint. */
  issuer: string
  /** What the server received so far (also served at MCP_AUTHORIZATION_SERVER_EVENTS_PATH). */
  events: McpAuthorizationServerEvent[]
  close(): Promise<void>
}

/** Access tokens for the MCP server live an hour (refresh tokens and grants: the demo's two weeks). */
const ACCESS_TOKEN_TTL_SECONDS = 3600

/**
 * Starts the server on an ephemeral port of 127.0.0.1, protecting exactly one resource:
 * `resource`, the MCP server's canonical URL (any other `resource` is `invalid_target`).
 */
export async function startMcpAuthorizationServer(options: { resource: string }): Promise<McpAuthorizationServer> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let provider: Provider
  try {
    const configuration = await mcpAuthorizationServerConfiguration(options.resource)
    provider = await withoutDevelopmentOnlyWarnings(async () => new Provider(issuer, configuration))
  } catch (error) {
    server.close()
    throw error
  }
  const events: McpAuthorizationServerEvent[] = []
  recordRequests(provider, events)

  const providerHandler = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? ''
    if (url.startsWith(INTERACTION_PREFIX)) {
      void handleInteractionRequest(req, res, provider)
      return
    }
    if (url === MCP_AUTHORIZATION_SERVER_EVENTS_PATH && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      res.end(JSON.stringify({ events }))
      return
    }
    void providerHandler(req, res)
  })

  return {
    issuer,
    events,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * The oidc-provider configuration. Refresh tokens: oidc-provider grants `offline_access` only
 * with `prompt=consent`, which an MCP client has no reason to send, so every client registered
 * with the refresh_token grant gets one, as MCP authorization servers do; tokens outlive the
 * browser session. No client is pre-registered: every client registers itself.
 */
export async function mcpAuthorizationServerConfiguration(resource: string): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(privateKey)), kid: `mcp-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' }
  return {
    clients: [] satisfies ClientMetadata[],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // The MCP server's scopes are listed too, as MCP authorization servers do, so a client may name them when it registers.
    scopes: ['openid', 'offline_access', MCP_SCOPES.read, MCP_SCOPES.write],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No defaultResource: a client that omits `resource` at the authorization endpoint gets no JWT for the MCP server.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== resource) throw new errors.InvalidTarget()
          return {
            scope: `${MCP_SCOPES.read} ${MCP_SCOPES.write}`,
            audience: resource,
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }
        },
      },
    },
    ...demoAccountsAndPages(ACCESS_TOKEN_TTL_SECONDS),
  }
}

/** Records each registration, authorization and token request into `events`. */
function recordRequests(provider: Provider, events: McpAuthorizationServerEvent[]): void {
  // A token request's answer hides why it failed; the server's own detail is kept for tests.
  const errorDetails = new WeakMap<object, string>()
  provider.on('grant.error', (ctx: object, error: { error_detail?: unknown }) => {
    if (typeof error.error_detail === 'string') errorDetails.set(ctx, error.error_detail)
  })
  provider.use(async (ctx, next) => {
    // Before the provider reads it: oidc-provider drops what it ignores (offline_access without prompt=consent).
    if (ctx.path === MCP_AUTHORIZATION_SERVER_ROUTES.authorization && ctx.method === 'GET') {
      events.push({ type: 'authorization', parameters: [...new URLSearchParams(ctx.querystring)] })
    }
    await next()
    const oidc = ctx as unknown as KoaContextWithOIDC
    if (ctx.path === MCP_AUTHORIZATION_SERVER_ROUTES.registration && ctx.method === 'POST') events.push(registrationEvent(oidc))
    if (ctx.path === MCP_AUTHORIZATION_SERVER_ROUTES.token && ctx.method === 'POST') events.push(tokenEvent(oidc, errorDetails.get(ctx) ?? null))
  })
}

function registrationEvent(ctx: KoaContextWithOIDC): RegistrationEvent {
  const answer = objectOrEmpty(ctx.body)
  return { type: 'registration', metadata: objectOrEmpty(ctx.oidc?.body), status: ctx.status, clientId: stringOrNull(answer['client_id']) }
}

function tokenEvent(ctx: KoaContextWithOIDC, errorDetail: string | null): TokenEvent {
  const params = objectOrEmpty(ctx.oidc?.body)
  const resource = params['resource']
  return {
    type: 'token',
    grantType: stringOrNull(params['grant_type']),
    clientId: ctx.oidc?.client?.clientId ?? stringOrNull(params['client_id']),
    clientAuthentication: clientAuthenticationUsed(ctx.headers.authorization, params['client_secret']),
    resource: (Array.isArray(resource) ? resource : [resource]).filter((value): value is string => typeof value === 'string'),
    scope: stringOrNull(params['scope']),
    status: ctx.status,
    error: stringOrNull(objectOrEmpty(ctx.body)['error']),
    errorDetail,
  }
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
