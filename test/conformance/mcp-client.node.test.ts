/**
 * The adapter's MCP client (scripts/conformance/mcp-client.ts) against a recording transport:
 * the stateful lifecycle of 2025-11-25 (handshake, negotiated version and session id on later
 * requests) and the stateless one of 2026-07-28 (per-request `_meta` and headers, no handshake),
 * as the suite's servers check them.
 */
import { describe, expect, it } from 'vitest'
import { CLIENT_INFO, isStatelessRevision, listAndCallFirstTool, McpClient, McpRequestError, type McpTransport } from '../../scripts/conformance/mcp-client.ts'

interface Sent {
  headers: Record<string, string>
  message: { id?: number; method: string; params: Record<string, unknown> }
}

/** A server answering from `answer(method)`: a result object, a JSON-RPC error, or an HTTP status. */
function recordingServer(answer: (method: string) => Record<string, unknown> | { error: { code: number; message: string } } | number, sessionId?: string) {
  const sent: Sent[] = []
  const transport: McpTransport = async (headers, body) => {
    const message = JSON.parse(body) as Sent['message']
    sent.push({ headers, message })
    if (message.id === undefined) return new Response(null, { status: 202 })
    const reply = answer(message.method)
    if (typeof reply === 'number') return new Response('refused', { status: reply })
    const payload = 'error' in reply ? { jsonrpc: '2.0', id: message.id, error: reply.error } : { jsonrpc: '2.0', id: message.id, result: reply }
    const responseHeaders: Record<string, string> = { 'Content-Type': 'text/event-stream' }
    if (sessionId !== undefined && message.method === 'initialize') responseHeaders['Mcp-Session-Id'] = sessionId
    return new Response(`event: message\ndata: ${JSON.stringify(payload)}\n\n`, { headers: responseHeaders })
  }
  return { sent, transport }
}

const TOOLS = (method: string) => {
  if (method === 'initialize') return { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } }
  if (method === 'tools/list')
    return {
      tools: [
        { name: 'test-tool', inputSchema: { type: 'object' } },
        { name: 'other', inputSchema: { type: 'object' } },
      ],
    }
  if (method === 'tools/call') return { content: [{ type: 'text', text: 'test' }] }
  return { error: { code: -32601, message: 'Method not found' } }
}

describe('the stateful lifecycle (2025-11-25)', () => {
  it('initializes, then sends the negotiated version and the session id with every message', async () => {
    const server = recordingServer(TOOLS, 'session-1')
    const client = new McpClient(server.transport, '2025-11-25')
    await client.start()
    expect(await listAndCallFirstTool(client)).toEqual({ tools: 2, called: 'test-tool' })

    expect(server.sent.map((entry) => entry.message.method)).toEqual(['initialize', 'notifications/initialized', 'tools/list', 'tools/call'])
    const [initialize, initialized, list, call] = server.sent
    expect(initialize?.message.params).toEqual({ protocolVersion: '2025-11-25', capabilities: {}, clientInfo: CLIENT_INFO })
    expect(initialize?.headers['MCP-Protocol-Version']).toBeUndefined()
    expect(initialize?.headers['Accept']).toBe('application/json, text/event-stream')
    for (const later of [initialized, list, call]) {
      expect(later?.headers['MCP-Protocol-Version']).toBe('2025-06-18')
      expect(later?.headers['Mcp-Session-Id']).toBe('session-1')
      expect(later?.message.params['_meta']).toBeUndefined()
    }
    expect(call?.message.params).toEqual({ name: 'test-tool', arguments: {} })
  })

  it('sends no session id when the server gave none', async () => {
    const server = recordingServer(TOOLS)
    const client = new McpClient(server.transport, '2025-11-25')
    await client.start()
    await client.request('tools/list')
    expect(server.sent.at(-1)?.headers['Mcp-Session-Id']).toBeUndefined()
  })
})

describe('the stateless lifecycle (2026-07-28)', () => {
  it('sends no handshake and puts _meta and the standard headers on every request', async () => {
    const server = recordingServer(TOOLS)
    const client = new McpClient(server.transport, '2026-07-28')
    await client.start()
    expect(await listAndCallFirstTool(client)).toEqual({ tools: 2, called: 'test-tool' })

    expect(server.sent.map((entry) => entry.message.method)).toEqual(['tools/list', 'tools/call'])
    const [list, call] = server.sent
    for (const request of [list, call]) {
      expect(request?.headers['MCP-Protocol-Version']).toBe('2026-07-28')
      expect(request?.message.params['_meta']).toEqual({
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
        'io.modelcontextprotocol/clientCapabilities': {},
      })
    }
    expect(list?.headers['Mcp-Method']).toBe('tools/list')
    expect(list?.headers['Mcp-Name']).toBeUndefined()
    expect(call?.headers['Mcp-Method']).toBe('tools/call')
    expect(call?.headers['Mcp-Name']).toBe('test-tool')
  })

  it('knows which revisions are stateless', () => {
    expect(isStatelessRevision('2025-06-18')).toBe(false)
    expect(isStatelessRevision('2025-11-25')).toBe(false)
    expect(isStatelessRevision('2026-07-28')).toBe(true)
  })
})

describe('failures', () => {
  it('throws a JSON-RPC error with its code', async () => {
    const client = new McpClient(recordingServer(TOOLS).transport, '2026-07-28')
    const failure = await client.request('resources/list').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(McpRequestError)
    expect((failure as McpRequestError).code).toBe(-32601)
  })

  it('throws on an HTTP error with its status', async () => {
    const client = new McpClient(recordingServer(() => 404).transport, '2025-11-25')
    await expect(client.start()).rejects.toThrow(/initialize answered HTTP 404/)
  })

  it('lists without calling when there is no tool', async () => {
    const client = new McpClient(recordingServer(() => ({ tools: [] })).transport, '2026-07-28')
    expect(await listAndCallFirstTool(client)).toEqual({ tools: 0, called: null })
  })
})
