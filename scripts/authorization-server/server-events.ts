/**
 * What the authorization server saw and did, recorded so a test (or a curious developer
 * running the demo) can check it from the outside: which client authentication a token
 * request really used (S9), whether PKCE was verified (S4), every value it issued (to grep
 * logs for them, S13) and every grant it revoked (a revoked grant means a code or a
 * refresh token was replayed, S12).
 */

/** How a token request authenticated the client, read from the request itself (RFC 6749 section 2.3.1). */
export type ClientAuthenticationUsed = 'client_secret_basic' | 'client_secret_post' | 'both' | 'none'

/** The kinds of value the server hands out. */
export type IssuedKind = 'AuthorizationCode' | 'AccessToken' | 'RefreshToken' | 'IdToken'

/** The server issued a secret value (code or token) to `accountId`. */
export interface IssuedEvent {
  type: 'issued'
  kind: IssuedKind
  accountId: string
  grantId: string
  clientId: string
  /** The value itself: test-only server, recorded so tests can prove it never leaks. */
  value: string
  at: number
}

/** One request to the token endpoint, as answered. */
export interface TokenRequestEvent {
  type: 'token_request'
  grantType: string | null
  clientId: string | null
  clientAuthentication: ClientAuthenticationUsed
  /** `verified`: the code carried an S256 challenge and the verifier matched; `failed`: it did not. */
  pkce: 'verified' | 'failed' | 'not_applicable'
  /** The PKCE verifier presented (authorization_code grant), recorded so tests can prove it never leaks. */
  codeVerifier: string | null
  status: number
  /** The OAuth error code answered (`invalid_grant`...). */
  error: string | null
  /** The server's internal reason, which the response hides: "refresh token already used", "PKCE verification failed"... */
  errorDetail: string | null
  /** Owner of the code or refresh token presented (null when the server did not know it). */
  accountId: string | null
  grantId: string | null
  at: number
}

/** A request to the protected resource (the userinfo endpoint). */
export interface ResourceRequestEvent {
  type: 'resource_request'
  path: string
  status: number
  /** Owner of the bearer token presented (null when unknown). */
  accountId: string | null
  at: number
}

/** The server revoked a whole grant (all its tokens), e.g. after a refresh token was replayed. */
export interface GrantRevokedEvent {
  type: 'grant_revoked'
  grantId: string
  accountId: string | null
  at: number
}

/** Everything the log records. */
export type ServerEvent = IssuedEvent | TokenRequestEvent | ResourceRequestEvent | GrantRevokedEvent

/** Who an issued value belongs to. */
export interface IssuedValueOwner {
  accountId: string
  grantId: string
}

/** In-memory event log of one server run. */
export class ServerEventLog {
  readonly #events: ServerEvent[] = []
  readonly #owners = new Map<string, IssuedValueOwner>()
  readonly #grantOwners = new Map<string, string>()

  /** Appends an event; issued values also become resolvable by `ownerOf`. */
  record(event: ServerEvent): void {
    this.#events.push(event)
    if (event.type === 'issued') {
      this.#owners.set(event.value, { accountId: event.accountId, grantId: event.grantId })
      this.#grantOwners.set(event.grantId, event.accountId)
    }
  }

  /** Events in order, optionally only those of one account (the login name used at the server). */
  list(filter: { accountId?: string } = {}): ServerEvent[] {
    if (filter.accountId === undefined) return [...this.#events]
    return this.#events.filter((event) => event.accountId === filter.accountId)
  }

  /** The account and grant an issued value belongs to, if the server issued it. */
  ownerOf(value: string | undefined): IssuedValueOwner | undefined {
    return value === undefined ? undefined : this.#owners.get(value)
  }

  /** The account a grant belongs to, if the server issued anything for it. */
  accountOfGrant(grantId: string): string | null {
    return this.#grantOwners.get(grantId) ?? null
  }
}
