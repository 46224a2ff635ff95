/**
 * Latchkey's client ID metadata document (draft-ietf-oauth-client-id-metadata-document; MCP
 * 2025-11-25 and 2026-07-28 "Client ID Metadata Documents"): an authorization server that
 * advertises `client_id_metadata_document_supported` accepts the document's https URL as the
 * `client_id` and fetches it to learn the client's name and redirect URIs, so no registration
 * is stored anywhere. Latchkey serves it itself at `${PUBLIC_BASE_URL}/oauth/client-metadata.json`
 * (client-metadata-route.ts).
 *
 * The `client_id` must be an https URL, so a deployment whose PUBLIC_BASE_URL is http (local
 * development) has no document and falls back to dynamic registration. Tests of local
 * authorization servers that expect a fixed https `client_id` (the MCP conformance suite) set
 * MCP_CLIENT_METADATA_URL, honoured only with ALLOW_INSECURE_LOOPBACK="true", which
 * `npm run deploy` refuses.
 */
import { readSettings } from '../settings.ts'
import { type LatchkeyClientMetadata, latchkeyClientMetadata } from './client-metadata.ts'

/** Where the document is served, under PUBLIC_BASE_URL. */
export const CLIENT_METADATA_PATH = '/oauth/client-metadata.json'

/** The document: its own URL as `client_id`, and a public client (no shared secret can exist, draft section 4.1). */
export interface ClientMetadataDocument extends LatchkeyClientMetadata {
  client_id: string
  token_endpoint_auth_method: 'none'
}

/**
 * The document's URL, which is Latchkey's `client_id` wherever it is accepted, or null when
 * there is none (PUBLIC_BASE_URL is not https and no valid override applies). Throws
 * `server_misconfigured` when PUBLIC_BASE_URL is not a valid origin.
 */
export function clientMetadataUrl(env: Env): string | null {
  const settings = readSettings(env)
  if (settings.allowInsecureLoopback) {
    const override = settings.variables.get('MCP_CLIENT_METADATA_URL')
    if (override !== undefined && isClientIdUrl(override)) return override
  }
  const origin = settings.publicOrigin
  return origin.startsWith('https://') ? `${origin}${CLIENT_METADATA_PATH}` : null
}

/** The document this deployment serves, or null when it has none (`clientMetadataUrl`). */
export function clientMetadataDocument(env: Env): ClientMetadataDocument | null {
  const clientId = clientMetadataUrl(env)
  if (clientId === null) return null
  const settings = readSettings(env)
  return { client_id: clientId, ...latchkeyClientMetadata(settings.brand.appName, settings.redirectUri), token_endpoint_auth_method: 'none' }
}

/**
 * Whether `value` may be a client ID metadata document URL (draft section 3): https, with a
 * path, without user information, query or fragment, and spelled exactly as the URL parser
 * serialises it, so no dot segment, default port or upper-case host differs between the
 * `client_id` sent and the document's own URL, which the server compares as strings.
 */
export function isClientIdUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return (
    url.protocol === 'https:' &&
    url.href === value &&
    url.pathname !== '/' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    !value.includes('?') &&
    !value.includes('#')
  )
}
