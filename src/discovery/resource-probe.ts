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
