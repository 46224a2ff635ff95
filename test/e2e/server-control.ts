/**
 * The workerd side of the authorization server's control API (scripts/authorization-server/
 * control-endpoint.ts): what the server saw, per account, and forced access-token expiry.
 */
import type { IssuedEvent, ServerEvent, TokenRequestEvent } from '../../scripts/authorization-server/server-events.ts'

/** Everything the server recorded for `account` (the login name used at the server). */
export async function serverEvents(issuer: string, account: string): Promise<ServerEvent[]> {
  const response = await fetch(`${issuer}/__test/events?account=${encodeURIComponent(account)}`)
  if (!response.ok) throw new Error(`control API answered ${response.status}`)
  return ((await response.json()) as { events: ServerEvent[] }).events
}

/** Makes every access token of `account` invalid at the server now; returns how many. */
export async function expireAccessTokens(issuer: string, account: string): Promise<number> {
  const response = await fetch(`${issuer}/__test/expire-access-tokens?account=${encodeURIComponent(account)}`, { method: 'POST' })
  if (!response.ok) throw new Error(`control API answered ${response.status}`)
  return ((await response.json()) as { expired: number }).expired
}

/** The token requests among `events`, optionally of one grant type. */
export function tokenRequests(events: ServerEvent[], grantType?: string): TokenRequestEvent[] {
  return events.filter((event): event is TokenRequestEvent => event.type === 'token_request' && (grantType === undefined || event.grantType === grantType))
}

/** The values of one kind the server issued. */
export function issuedValues(events: ServerEvent[], kind: IssuedEvent['kind']): string[] {
  return events.filter((event): event is IssuedEvent => event.type === 'issued' && event.kind === kind).map((event) => event.value)
}

/** Every secret the server handed out or was shown: codes, tokens, PKCE verifiers. */
export function secretsSeen(events: ServerEvent[]): string[] {
  const secrets: string[] = []
  for (const event of events) {
    if (event.type === 'issued') secrets.push(event.value)
    if (event.type === 'token_request' && event.codeVerifier !== null) secrets.push(event.codeVerifier)
  }
  return secrets
}
