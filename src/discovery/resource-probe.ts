/**
 * The first step of discovery (RFC 9728 section 5, MCP "Authorization Server Discovery"): a
 * request to the resource without a token, whose 401 (or 403) names the protected resource
 * metadata and the scopes in its Bearer challenge. Which request depends on the kind of
 * resource: an MCP server challenges the MCP request a client sends first, a plain API any GET.
 */
import { type DiscoveryFetchOptions, type DiscoveryRequest, discardBody, sendDiscoveryRequest } from './discovery-fetch.ts'
import { type BearerChallenge, bearerChallenge } from './www-authenticate.ts'

/** A probe for resources that challenge any request. */
export const GET_PROBE: DiscoveryRequest = { method: 'GET', headers: {}, body: null }

/**
 * An MCP `initialize` request over the Streamable HTTP transport: what an MCP client sends
 * first, so what a protected MCP server answers with its challenge.
 */
export function mcpInitializeProbe(protocolVersion: string): DiscoveryRequest {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'latchkey-discovery', version: '1' } },
    }),
  }
}

/**
 * An MCP `tools/list` request as the stateless 2026-07-28 transport sends it (`_meta` and the
 * `MCP-Protocol-Version` and `Mcp-Method` headers): for servers that let `initialize` through
 * without a token and challenge only operations, the request whose challenge names the scopes.
 * Servers of earlier revisions ignore what they do not know and challenge it as well.
 */
export const MCP_OPERATION_PROBE: DiscoveryRequest = {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/list',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'latchkey-discovery', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  }),
}

/** What the probe learned. */
export interface ProbeResult {
  status: number
  /** The Bearer challenge of a 401 or 403, or null (no challenge, or another status). */
  challenge: BearerChallenge | null
}

/** Sends `probe` to the resource identifier; the body of the answer is never read. */
export async function probeResource(resource: string, probe: DiscoveryRequest, options: DiscoveryFetchOptions): Promise<ProbeResult> {
  const response = await sendDiscoveryRequest(new URL(resource), probe, 'The resource', options)
  await discardBody(response)
  const challenged = response.status === 401 || response.status === 403
  return { status: response.status, challenge: challenged ? bearerChallenge(response.headers.get('WWW-Authenticate')) : null }
}
