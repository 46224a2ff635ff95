/**
 * What Latchkey says about itself as an OAuth client, the same in its client ID metadata
 * document and in every dynamic registration (RFC 7591 section 2): its name, its one redirect
 * URI, and that it is a web application using the authorization code grant with refresh tokens
 * (MCP 2026-07-28: `refresh_token` in `grant_types`, `application_type` always sent).
 */

/** The client metadata fields both kinds of client share (RFC 7591 names). */
export interface LatchkeyClientMetadata {
  client_name: string
  redirect_uris: string[]
  grant_types: string[]
  response_types: string[]
  /** OpenID Connect Dynamic Client Registration: Latchkey runs on a public https host, not on the user's machine. */
  application_type: 'web'
}

/** The shared metadata for `clientName` (APP_NAME, default "Latchkey") and `redirectUri` (`${PUBLIC_BASE_URL}/oauth/callback`). */
export function latchkeyClientMetadata(clientName: string, redirectUri: string): LatchkeyClientMetadata {
  return {
    client_name: clientName,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'web',
  }
}
