/**
 * The MCP client half of the adapter: JSON-RPC over Streamable HTTP, in whichever lifecycle the
 * revision under test has. Revisions through 2025-11-25 are stateful (`initialize`, then
 * `notifications/initialized`, then requests carrying the negotiated `MCP-Protocol-Version` and
 * any `Mcp-Session-Id`); 2026-07-28 is stateless (no handshake; every request carries `_meta`
 * with the protocol version, client info and capabilities, and the `MCP-Protocol-Version`,
 * `Mcp-Method` and `Mcp-Name` headers). How a message reaches the server (here: through
 * Latchkey's proxy) is the transport's business.
 */
import { readJsonRpcResponse } from './json-rpc-response.ts'

/** Sends one JSON-RPC message to the MCP server and returns its HTTP answer. */
export type McpTransport = (headers: Record<string, string>, body: string) => Promise<Response>

/** The first revision with the stateless lifecycle (SEP-2575). */
export const FIRST_STATELESS_REVISION = '2026-07-28'
/** Who the adapter says it is. */
export const CLIENT_INFO = { name: 'latchkey-conformance-adapter', version: '1.0.0' } as const

const DATED_REVISION = /^\d{4}-\d{2}-\d{2}$/

/** Whether `revision` (YYYY-MM-DD) has the stateless lifecycle; dated revisions compare as strings. */
export function isStatelessRevision(revision: string): boolean {
  return revision >= FIRST_STATELESS_REVISION
}

/** The server answered a request with a JSON-RPC error. */
export class McpRequestError extends Error {
  readonly code: number

  constructor(method: string, code: number, message: string) {
    super(`${method} answered JSON-RPC error ${code}: ${message}`)
    this.name = 'McpRequestError'
    this.code = code
  }
}

/** One MCP client session with one server. */
export class McpClient {
  readonly #send: McpTransport
  readonly #stateless: boolean
  #protocolVersion: string
  #sessionId: string | null = null
  #nextId = 1

  constructor(send: McpTransport, revision: string) {
    this.#send = send
    this.#protocolVersion = revision
    this.#stateless = isStatelessRevision(revision)
  }

  /** Stateful revisions: the handshake. Stateless: nothing to do. */
  async start(): Promise<void> {
    if (this.#stateless) return
    const result = await this.request('initialize', { protocolVersion: this.#protocolVersion, capabilities: {}, clientInfo: CLIENT_INFO })
    const negotiated = result['protocolVersion']
    if (typeof negotiated !== 'string' || !DATED_REVISION.test(negotiated)) throw new Error('initialize answered without a dated protocolVersion')
    this.#protocolVersion = negotiated
    await this.notify('notifications/initialized')
  }

  /** The result of `method`; throws McpRequestError on a JSON-RPC error, an Error on anything but an answer. */
  async request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++
    const response = await this.#send(this.#headers(method, params), JSON.stringify({ jsonrpc: '2.0', id, method, params: this.#withMeta(params) }))
    const text = await response.text()
    if (response.status !== 200) throw new Error(`${method} answered HTTP ${response.status}: ${excerpt(text)}`)
    if (method === 'initialize') this.#sessionId = response.headers.get('Mcp-Session-Id')
    const answer = readJsonRpcResponse(response.headers.get('Content-Type'), text, id)
    if ('error' in answer) throw new McpRequestError(method, answer.error.code, answer.error.message)
    return answer.result
  }

  /** Sends the notification `method`; the server answers 202 Accepted. */
  async notify(method: string, params: Record<string, unknown> = {}): Promise<void> {
    const response = await this.#send(this.#headers(method, params), JSON.stringify({ jsonrpc: '2.0', method, params: this.#withMeta(params) }))
    const text = await response.text()
    if (response.status < 200 || response.status > 299) throw new Error(`${method} answered HTTP ${response.status}: ${excerpt(text)}`)
  }

  #headers(method: string, params: Record<string, unknown>): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }
    if (this.#stateless) {
      headers['MCP-Protocol-Version'] = this.#protocolVersion
      headers['Mcp-Method'] = method
      const name = method === 'tools/call' || method === 'prompts/get' ? params['name'] : method === 'resources/read' ? params['uri'] : undefined
      if (typeof name === 'string') headers['Mcp-Name'] = name
      return headers
    }
    if (method !== 'initialize') headers['MCP-Protocol-Version'] = this.#protocolVersion
    if (this.#sessionId !== null) headers['Mcp-Session-Id'] = this.#sessionId
    return headers
  }

  #withMeta(params: Record<string, unknown>): Record<string, unknown> {
    if (!this.#stateless) return params
    const meta = typeof params['_meta'] === 'object' && params['_meta'] !== null ? (params['_meta'] as Record<string, unknown>) : {}
    return {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': this.#protocolVersion,
        'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
        'io.modelcontextprotocol/clientCapabilities': {},
        ...meta,
      },
    }
  }
}

/** The start of a body, on one line, for an error message. */
function excerpt(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 200)
}

/** What the adapter does with a connected server: list the tools and call the first one. */
export async function listAndCallFirstTool(client: McpClient): Promise<{ tools: number; called: string | null }> {
  const listed = await client.request('tools/list')
  const tools = Array.isArray(listed['tools']) ? (listed['tools'] as unknown[]) : []
  const first = tools[0]
  const name = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['name'] : undefined
  if (typeof name !== 'string') return { tools: tools.length, called: null }
  await client.request('tools/call', { name, arguments: {} })
  return { tools: tools.length, called: name }
}
