/**
 * A remote MCP server protected by OAuth, as the MCP authorization specification describes one,
 * for the end-to-end tests of discovered connections (test/mcp/): the MCP SDK's own server
 * classes (Streamable HTTP at `/mcp`, stateful sessions, JSON answers) behind a Bearer check
 * against the authorization server of test/setup/mcp-authorization-server.ts.
 *
 *   POST /mcp     without a valid token: 401 `WWW-Authenticate: Bearer resource_metadata="…",
 *                 scope="mcp:read"` (with error="invalid_token" when a token was refused). The
 *                 token must be an RS256 JWT of the issuer (its JWKS), `aud` = the resource,
 *                 unexpired, with `mcp:read`; calling the tool `write` also needs `mcp:write`,
 *                 else 403 `Bearer error="insufficient_scope", scope="mcp:read mcp:write", …`.
 *                 Tools: `echo {message}` → the message (and, structured, who the token is for);
 *                 `write {text}` → "written: <text>".
 *   GET  /.well-known/oauth-protected-resource/mcp   RFC 9728 metadata: resource `<origin>/mcp`,
 *                 the authorization server, scopes_supported.
 *   GET  /__test/events   {events: McpServerEvent[], counts}: every request, by kind.
 *
 * Each test gets its own server pair (a "world": this server and its authorization server) from
 * the lab, this file's vitest globalSetup, so what a test counts is its own:
 *
 *   POST <lab>/worlds   body {} or {authorizationServers: [issuer...]} (a hostile server: its
 *                       metadata names those issuers instead of its own): McpWorldInfo.
 *
 * vitest.config.ts gives the lab's origin to the Worker as the binding MCP_LAB_ORIGIN.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { McpServer as McpServerType } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { StreamableHTTPServerTransport as StreamableHTTPServerTransportType } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { TestProject } from 'vitest/node'
import { MCP_AUTHORIZATION_SERVER_ROUTES, MCP_SCOPES, startMcpAuthorizationServer, type McpAuthorizationServer } from './mcp-authorization-server.ts'

/**
 * The MCP SDK (and the zod its schemas must come from), loaded by Node itself: the workerd test
 * project inlines every dependency of its globalSetup files through vite, which would print a
 * warning for each SDK file whose source map names sources the package does not ship.
 */
const nodeRequire = createRequire(import.meta.url)
const { McpServer } = nodeRequire('@modelcontextprotocol/sdk/server/mcp.js') as { McpServer: typeof McpServerType }
const { StreamableHTTPServerTransport } = nodeRequire('@modelcontextprotocol/sdk/server/streamableHttp.js') as {
  StreamableHTTPServerTransport: typeof StreamableHTTPServerTransportType
}
const { z } = nodeRequire('zod') as typeof import('zod')
type StreamableHTTPServerTransport = StreamableHTTPServerTransportType
type McpServer = McpServerType

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the lab that starts MCP worlds. */
    mcpLabOrigin: string
  }
}

/** Path of the MCP endpoint: the resource is `<origin>/mcp`. */
export const MCP_PATH = '/mcp'
/** RFC 9728 section 3.1: the well-known path with the resource's path appended. */
export const MCP_RESOURCE_METADATA_PATH = `/.well-known/oauth-protected-resource${MCP_PATH}`
/** Path of the control call that lists what the server received. */
export const MCP_SERVER_EVENTS_PATH = '/__test/events'

/** What a test needs to know about its world. */
export interface McpWorldInfo {
  /** The MCP server's URL: what a user gives Latchkey, and the resource identifier. */
  resourceUrl: string
  /** Where the MCP server publishes its protected resource metadata. */
  resourceMetadataUrl: string
  /** The MCP server's origin (its control call is `${mcpOrigin}/__test/events`). */
  mcpOrigin: string
  /** The world's own authorization server (its control call is `${issuer}/__test/events`). */
  issuer: string
  /** What the resource metadata names as its authorization servers (the issuer, or a hostile list). */
  authorizationServers: string[]
}

/** How the MCP server classified a request. */
export type McpRequestKind = 'resource_metadata' | 'unauthorized' | 'insufficient_scope' | 'mcp' | 'not_found'

/** A valid access token's facts (nothing secret: the token itself is not kept). */
export interface PresentedToken {
  subject: string
  clientId: string | null
  audience: string[]
  scopes: string[]
  jti: string | null
}

/** One request to the MCP server, as answered. */
export interface McpServerEvent {
  kind: McpRequestKind
  method: string
  path: string
  status: number
  /** Whether the request carried an Authorization header at all. */
  authorizationPresented: boolean
  /** The valid token it carried, or null. */
  token: PresentedToken | null
  /** Why a presented token was refused (jose's error code), or null. */
  tokenProblem: string | null
  /** JSON-RPC methods of the body, in order (`initialize`, `tools/call`...). */
  rpcMethods: string[]
  /** Tools called (`tools/call` names). */
  tools: string[]
}

/** A running MCP server and its authorization server. */
export interface McpWorld extends McpWorldInfo {
  events: McpServerEvent[]
  authorizationServer: McpAuthorizationServer
  close(): Promise<void>
}

/** The largest MCP request body read; the tests send a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024

/**
 * Starts an MCP server on an ephemeral port of 127.0.0.1 and the authorization server that
 * protects it. `authorizationServers` replaces what its metadata names (a hostile server);
 * tokens are still checked against its own authorization server.
 */
export async function startMcpWorld(options: { authorizationServers?: string[] } = {}): Promise<McpWorld> {
  const server = createServer()
  const mcpOrigin = await listenOnLoopback(server)
  const resourceUrl = `${mcpOrigin}${MCP_PATH}`
  let authorizationServer: McpAuthorizationServer
  try {
    authorizationServer = await startMcpAuthorizationServer({ resource: resourceUrl })
  } catch (error) {
    server.close()
    throw error
  }
  const info: McpWorldInfo = {
    resourceUrl,
    resourceMetadataUrl: `${mcpOrigin}${MCP_RESOURCE_METADATA_PATH}`,
    mcpOrigin,
    issuer: authorizationServer.issuer,
    authorizationServers: options.authorizationServers ?? [authorizationServer.issuer],
  }
  const events: McpServerEvent[] = []
  const handler = mcpRequestHandler(info, events)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      console.error(`test MCP server: request failed (${error instanceof Error ? error.name : typeof error})`)
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' })
      else res.end()
    })
  })
  return {
    ...info,
    events,
    authorizationServer,
    close: async () => {
      server.closeAllConnections()
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), authorizationServer.close()])
    },
  }
}

/** The request handler of the MCP server of `world`, recording into `events`. */
function mcpRequestHandler(world: McpWorldInfo, events: McpServerEvent[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const jwks = createRemoteJWKSet(new URL(`${world.issuer}${MCP_AUTHORIZATION_SERVER_ROUTES.jwks}`))
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  const metadata = `resource_metadata="${world.resourceMetadataUrl}"`

  return async (req, res) => {
    const path = req.url ?? '/'
    const method = req.method ?? 'GET'
    const record = (event: Omit<McpServerEvent, 'method' | 'path' | 'status'>, status: number): void => {
      events.push({ method, path, status, ...event })
    }
    const unauthenticated = { authorizationPresented: false, token: null, tokenProblem: null, rpcMethods: [], tools: [] }

    if (path === MCP_SERVER_EVENTS_PATH && method === 'GET') return sendJson(res, 200, { events, counts: countsByKind(events) })
    if (path === MCP_RESOURCE_METADATA_PATH && method === 'GET') {
      record({ kind: 'resource_metadata', ...unauthenticated }, 200)
      return sendJson(res, 200, {
        resource: world.resourceUrl,
        authorization_servers: world.authorizationServers,
        scopes_supported: [MCP_SCOPES.read, MCP_SCOPES.write],
        bearer_methods_supported: ['header'],
        resource_name: 'Latchkey test MCP server',
      })
    }
    if (path !== MCP_PATH) {
      record({ kind: 'not_found', ...unauthenticated }, 404)
      return sendJson(res, 404, { error: 'not_found' })
    }

    const body = method === 'POST' ? await readJsonBody(req) : undefined
    const messages = Array.isArray(body) ? body : body === undefined ? [] : [body]
    const rpcMethods = messages.flatMap((message) => (typeof message?.method === 'string' ? [message.method] : []))
    const tools = messages.flatMap((message) => (message?.method === 'tools/call' && typeof message.params?.name === 'string' ? [message.params.name] : []))
    const authorization = req.headers.authorization
    const presented = authorization === undefined ? null : (/^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization)?.[1] ?? '')
    const verified = presented === null ? null : await verifyAccessToken(presented, world, jwks)
    const seen = { authorizationPresented: authorization !== undefined, rpcMethods, tools }

    if (verified === null || 'problem' in verified) {
      const tokenProblem = verified === null ? null : verified.problem
      record({ kind: 'unauthorized', ...seen, token: null, tokenProblem }, 401)
      const error = presented === null ? '' : 'error="invalid_token", '
      return sendJson(res, 401, { error: presented === null ? 'unauthorized' : 'invalid_token' }, { 'WWW-Authenticate': `Bearer ${error}${metadata}, scope="${MCP_SCOPES.read}"` })
    }
    const token = verified.token
    const needed = tools.includes('write') ? [MCP_SCOPES.read, MCP_SCOPES.write] : [MCP_SCOPES.read]
    if (!needed.every((scope) => token.scopes.includes(scope))) {
      record({ kind: 'insufficient_scope', ...seen, token, tokenProblem: null }, 403)
      return sendJson(res, 403, { error: 'insufficient_scope' }, { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed.join(' ')}", ${metadata}` })
    }

    const auth: AuthInfo = { token: presented ?? '', clientId: token.clientId ?? '', scopes: token.scopes, resource: new URL(world.resourceUrl), extra: { subject: token.subject } }
    const status = await serveMcp(Object.assign(req, { auth }), res, body, sessions)
    record({ kind: 'mcp', ...seen, token, tokenProblem: null }, status)
  }
}

/** Hands an authorized request to the SDK's transport: an existing session's, or a new one for `initialize`. */
async function serveMcp(req: IncomingMessage & { auth: AuthInfo }, res: ServerResponse, body: unknown, sessions: Map<string, StreamableHTTPServerTransport>): Promise<number> {
  const sessionId = req.headers['mcp-session-id']
  if (typeof sessionId === 'string') {
    const transport = sessions.get(sessionId)
    if (transport === undefined) {
      sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null })
      return 404
    }
    await transport.handleRequest(req, res, body)
    return res.statusCode
  }
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
    onsessioninitialized: (id) => {
      sessions.set(id, transport)
    },
  })
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
  }
  await newMcpServer().connect(transport)
  await transport.handleRequest(req, res, body)
  return res.statusCode
}

/** The MCP server's tools (scopes are enforced before a request reaches them). */
function newMcpServer(): McpServer {
  const server = new McpServer({ name: 'latchkey-test-mcp-server', version: '1.0.0' })
  server.registerTool(
    'echo',
    {
      description: 'Answers with the message (needs mcp:read).',
      inputSchema: { message: z.string() },
      outputSchema: { message: z.string(), subject: z.string() },
    },
    async ({ message }, extra) => {
      const subject = String(extra.authInfo?.extra?.['subject'] ?? '')
      return { content: [{ type: 'text', text: message }], structuredContent: { message, subject } }
    },
  )
  server.registerTool('write', { description: 'Pretends to write (needs mcp:write).', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text: `written: ${text}` }],
  }))
  return server
}

/** The token's facts when it is a valid access token for the world's resource, else the reason. */
async function verifyAccessToken(token: string, world: McpWorldInfo, jwks: ReturnType<typeof createRemoteJWKSet>): Promise<{ token: PresentedToken } | { problem: string }> {
  if (token === '') return { problem: 'malformed_authorization' }
  try {
    // RFC 9068: typ at+jwt, the issuer's key, its issuer, this resource as audience, not expired.
    const { payload } = await jwtVerify(token, jwks, { issuer: world.issuer, audience: world.resourceUrl, typ: 'at+jwt', algorithms: ['RS256'] })
    return {
      token: {
        subject: typeof payload.sub === 'string' ? payload.sub : '',
        clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : null,
        audience: typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []),
        scopes: typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter((scope) => scope !== '') : [],
        jti: typeof payload.jti === 'string' ? payload.jti : null,
      },
    }
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'invalid'
    return { problem: code }
  }
}

/** The body as JSON (undefined when empty); a body that is not JSON is left to the transport's answer. */
async function readJsonBody(req: IncomingMessage): Promise<JsonRpcLike | JsonRpcLike[] | undefined> {
  const text = await readText(req)
  if (text === '') return undefined
  try {
    return JSON.parse(text) as JsonRpcLike | JsonRpcLike[]
  } catch {
    return undefined
  }
}

/** Just enough of a JSON-RPC message to classify it; the SDK validates the rest. */
interface JsonRpcLike {
  method?: unknown
  params?: { name?: unknown } | null
}

function countsByKind(events: McpServerEvent[]): Partial<Record<McpRequestKind, number>> {
  const counts: Partial<Record<McpRequestKind, number>> = {}
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1
  return counts
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * The lab's request body: nothing, `{}`, or `{authorizationServers: [...]}` with 1 to 5 http(s)
 * URLs; null when it is anything else.
 */
export function worldRequest(text: string): { authorizationServers?: string[] } | null {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const keys = Object.keys(value)
  if (keys.length === 0) return {}
  const servers = (value as { authorizationServers?: unknown }).authorizationServers
  if (keys.length !== 1 || !Array.isArray(servers) || servers.length === 0 || servers.length > 5) return null
  if (!servers.every((server) => typeof server === 'string' && /^https?:\/\/[^\s]+$/.test(server) && parsesAsUrl(server))) return null
  return { authorizationServers: servers as string[] }
}

function parsesAsUrl(value: string): boolean {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

/** Vitest globalSetup (workerd project): starts the lab and provides its origin; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const worlds: McpWorld[] = []
  const lab = createServer((req, res) => {
    if (req.url !== '/worlds' || req.method !== 'POST') return sendJson(res, 404, { error: 'not_found', message: 'POST /worlds starts a world' })
    readText(req)
      .then(async (text) => {
        const request = worldRequest(text)
        if (request === null) return sendJson(res, 400, { error: 'invalid_request', message: 'send {} or {"authorizationServers": ["http(s)://..."]}' })
        const world = await startMcpWorld(request)
        worlds.push(world)
        const { resourceUrl, resourceMetadataUrl, mcpOrigin, issuer, authorizationServers } = world
        return sendJson(res, 200, { resourceUrl, resourceMetadataUrl, mcpOrigin, issuer, authorizationServers } satisfies McpWorldInfo)
      })
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'world_failed', message: error instanceof Error ? error.message : String(error) })
      })
  })
  project.provide('mcpLabOrigin', await listenOnLoopback(lab))
  return async () => {
    lab.closeAllConnections()
    await Promise.all([new Promise<void>((resolve) => lab.close(() => resolve())), ...worlds.map((world) => world.close())])
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_BODY_BYTES) throw new Error('request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
