/**
 * What a caller needs to call a connection's API itself (the client package's direct proxy):
 * the evaluated makeApiClient configuration, which credentials it was made from (`version`),
 * and until when it may be used. Handed out over RPC only (S14): it carries the credentials'
 * Authorization header.
 */
import { base64UrlEncode } from '../base64url.ts'
import type { ResolvedApiClient } from './api-client-config.ts'

/** A configuration the caller applies itself, or why it cannot (then it uses `proxy`). */
export type DirectApiClientConfig =
  | {
      direct: true
      baseUri: string
      /** Sent on every request, the connector's Authorization included (Basic auth folded in). */
      headers: Record<string, string>
      /** Set on every request URL. */
      query: Record<string, string>
      /** Names the credentials this was made from: report it to `refreshApiClientConfig` after a 401. */
      version: string
      /** When to ask again (ms since epoch): the credentials' refresh time; null when they have no known expiry. */
      expiresAt: number | null
    }
  | { direct: false; reason: string }

/**
 * The direct configuration for `resolved`, or why the caller cannot apply it: only Latchkey can
 * sign OAuth 1.0a requests, evaluate response handlers or call a ready client object.
 */
export function directApiClientConfig(resolved: ResolvedApiClient, authType: string, version: string, expiresAt: number | null): DirectApiClientConfig {
  if (authType === 'oauth1') return { direct: false, reason: 'OAuth 1.0a requests are signed one by one by Latchkey: call the API through proxy.' }
  if (resolved.kind === 'client') return { direct: false, reason: "The connector's makeApiClient returns a ready client object: call the API through proxy." }
  if (resolved.responseHandlers !== null) return { direct: false, reason: "The connector's responseHandlers are evaluated by Latchkey: call the API through proxy." }
  const { baseUri, headers, query } = resolved.config
  return { direct: true, baseUri, headers: { ...headers }, query: { ...query }, version, expiresAt }
}

/**
 * A short, stable name for a set of credentials (SHA-256 of their JSON, first 16 bytes,
 * base64url): the same after a restart of the connection object, different after any refresh
 * or reconnect. It reveals nothing usable about them.
 */
export async function credentialsVersion(credentials: Record<string, unknown>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(credentials)))
  return base64UrlEncode(new Uint8Array(digest).slice(0, 16))
}
