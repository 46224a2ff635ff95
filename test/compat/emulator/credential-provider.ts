/**
 * The reusable provider of APIs reached with credentials the user types once (API keys,
 * HTTP Basic with an account id or email and a token): no authorize page, no token endpoint.
 * Used by the `client-credentials` connectors' emulators (Stripe, Twilio, Jira, Pipedrive's
 * API token), so a provider file holds only its quirks:
 *
 * - accounts: the control action `account` opens a fresh account and returns its id (the
 *   `grant` tests filter logs by) and its credentials, as the provider would issue them;
 *   `revoke` (body `{grant}`) makes them stop working, as rotating a key does.
 * - API: `authenticate` reads the request's credentials where the provider documents them;
 *   a route runs only for valid credentials of an open account, otherwise the provider's own
 *   `reject` answer (401).
 * - every request is logged with the account it names (`grant`, also for a wrong secret when
 *   the credentials name an account, e.g. Twilio's SID; null otherwise) and whether it
 *   authenticated; control `log` with `{grant}` (or `{grant: null}` for requests that named
 *   no account).
 */
import { json, loggedRequest, UNROUTED_HEADER, UnknownControlAction, type EmulatedRequest, type LoggedRequest, type ProviderEmulator } from './emulator.ts'
import { urlPattern } from './url-pattern.ts'

/** One account at the provider, with the credentials it issued. */
export interface CredentialAccount {
  /** The provider's account id; the `grant` of log entries and control calls. */
  id: string
  /** What the user would copy from the provider's console (API key, SID and token...). */
  credentials: Record<string, string>
  /** Provider data (site, user id...). */
  data: Record<string, unknown>
  revoked: boolean
}

/** A request as this provider logged it: which account it named, and whether its credentials were accepted. */
export interface CredentialLoggedRequest extends LoggedRequest {
  authenticated: boolean
}

/** What `authenticate` found in a request. */
export interface CredentialCheck {
  /** The account the credentials name (even when the secret is wrong), or null. */
  account: CredentialAccount | null
  /** The credentials are exactly that account's. */
  valid: boolean
}

/** One API route: `handle` runs only for valid credentials of an open account. */
export interface CredentialRoute {
  method: string
  /** URL pattern, e.g. `https://{site}.atlassian.net/rest/api/3/myself`. */
  url: string
  handle(context: { request: EmulatedRequest; params: Record<string, string>; account: CredentialAccount }): Response | Promise<Response>
}

/** A provider's quirks. */
export interface CredentialProviderDefinition {
  /** The connector key (also the control path). */
  key: string
  hosts: string[]
  /** Worker bindings of the connector, when it has deployment parameters. */
  bindings?: Record<string, string>
  /** A new account and its credentials, shaped as the provider issues them. */
  newAccount(): { id: string; credentials: Record<string, string>; data?: Record<string, unknown> }
  /** Reads the credentials where the provider documents them and finds the account they name. */
  authenticate(request: EmulatedRequest, accounts: readonly CredentialAccount[]): CredentialCheck
  /** The provider's own answer to missing or wrong credentials. */
  reject(request: EmulatedRequest): Response
  api: CredentialRoute[]
}

/** Builds the emulator of one API-key / basic-auth provider from its definition. */
export function credentialProvider(definition: CredentialProviderDefinition): ProviderEmulator {
  const accounts = new Map<string, CredentialAccount>()
  const routes = definition.api.map((route) => ({ route, pattern: urlPattern(route.url) }))
  const log: CredentialLoggedRequest[] = []

  function record(request: EmulatedRequest, endpoint: LoggedRequest['endpoint'], check: CredentialCheck): void {
    log.push({ ...loggedRequest(request, endpoint, check.account?.id ?? null, null), authenticated: check.valid })
  }

  const controls: Record<string, (input: Record<string, unknown>) => unknown> = {
    account: () => {
      const opened = definition.newAccount()
      accounts.set(opened.id, { id: opened.id, credentials: opened.credentials, data: opened.data ?? {}, revoked: false })
      return { grant: opened.id, credentials: opened.credentials, data: opened.data ?? {} }
    },
    log: (input) => log.filter((entry) => input['grant'] === undefined || entry.grant === input['grant']),
    revoke: (input) => {
      const account = accounts.get(String(input['grant']))
      if (account === undefined) throw new Error(`no account ${String(input['grant'])}`)
      account.revoked = true
      return { ok: true }
    },
  }

  return {
    key: definition.key,
    hosts: definition.hosts,
    bindings: definition.bindings ?? {},
    async handle(request) {
      for (const { route, pattern } of routes) {
        const params = pattern.match(request.url)
        if (params === null || route.method !== request.method) continue
        const found = definition.authenticate(request, [...accounts.values()])
        const check = { account: found.account, valid: found.valid && found.account !== null && !found.account.revoked }
        record(request, 'api', check)
        if (!check.valid || check.account === null) return definition.reject(request)
        return route.handle({ request, params, account: check.account })
      }
      record(request, 'unrouted', { account: null, valid: false })
      return json(404, { error: 'not_found', message: `the ${definition.key} emulator has no route for ${request.method} ${request.url.pathname}` }, { [UNROUTED_HEADER]: 'true' })
    },
    async control(action, input) {
      const control = controls[action]
      if (control === undefined) throw new UnknownControlAction(`${definition.key} has no control action ${action}`)
      return control(input)
    },
  }
}

/** The user name and password of an `Authorization: Basic` header (RFC 7617), or null. */
export function basicCredentials(request: EmulatedRequest): { username: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(request.headers.get('Authorization') ?? '')
  if (match?.[1] === undefined) return null
  const decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]), (char) => char.charCodeAt(0)))
  const colon = decoded.indexOf(':')
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** `length` random characters of `alphabet` (key and id formats of the providers). */
export function randomOf(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')
}

export const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const HEX = '0123456789abcdef'
