/**
 * The tests' one client of the test upstream (test/setup/upstream-servers.ts, whose header
 * documents the control API). One `UpstreamScenario` per test: its state is isolated by
 * scenario id. Connection events reach the upstream too (EVENTS_WEBHOOK_URL points at a
 * scenario's webhook sink): `webhookDeliveries` reads them back.
 */
import { env } from 'cloudflare:test'
import type { LoggedRequest, ScenarioConfig, ScriptedResponse } from '../setup/upstream-servers.ts'

export type { LoggedRequest, ScenarioConfig, ScriptedResponse }

/** `http://127.0.0.1:<port>` of the test upstream (the UPSTREAM_ORIGIN binding). */
export function upstreamOrigin(): string {
  return stringBinding('UPSTREAM_ORIGIN')
}

/** The request log of a scenario. */
export interface UpstreamLog {
  requests: LoggedRequest[]
  counts: Record<string, number>
}

/** A token response of the test upstream (what `grant` returns). */
export interface IssuedTokens {
  access_token: string
  refresh_token?: string
  expires_in?: number | string
  [field: string]: unknown
}

/** One isolated scenario of the fake provider. */
export class UpstreamScenario {
  /** `${origin}/s/<id>`, also the scenario's OIDC issuer. */
  readonly base: string

  constructor(readonly id: string = `sc-${crypto.randomUUID()}`) {
    this.base = `${upstreamOrigin()}/s/${id}`
  }

  /** The issuer identifier the scenario puts in `iss` and id_tokens. */
  get issuer(): string {
    return this.base
  }

  /** Merges `config` into the scenario's behaviour. */
  async configure(config: Partial<ScenarioConfig>): Promise<void> {
    await this.control('POST', '/_control/config', config)
  }

  /** Queues scripted answers for the next requests to `path` (e.g. '/token'). */
  async script(path: string, responses: ScriptedResponse[]): Promise<void> {
    await this.control('POST', '/_control/script', { path, responses })
  }

  /** Every logged request and the counts per path. */
  async log(): Promise<UpstreamLog> {
    return (await this.control('GET', '/_control/log')) as UpstreamLog
  }

  /** How many requests `path` received. */
  async count(path: string): Promise<number> {
    return (await this.log()).counts[path] ?? 0
  }

  /** The logged requests to `path`, in order. */
  async requestsTo(path: string): Promise<LoggedRequest[]> {
    return (await this.log()).requests.filter((request) => request.path === path)
  }

  /** The refresh tokens the token endpoint was sent, in order ('' for a request without one). */
  async presentedRefreshTokens(): Promise<string[]> {
    return (await this.requestsTo('/token')).map((request) => new URLSearchParams(request.body).get('refresh_token') ?? '')
  }

  /** Tokens issued without the browser dance (to seed a connection); an id_token when `scope` has openid. */
  async grant(options: { scope?: string; clientId?: string } = {}): Promise<IssuedTokens> {
    return (await this.control('POST', '/_control/grant', options)) as IssuedTokens
  }

  /** Makes every access token issued so far invalid at the API (it answers 401). */
  async expireAccessTokens(): Promise<void> {
    await this.control('POST', '/_control/expire', {})
  }

  /**
   * Revokes every grant issued so far, as a user withdrawing access at the provider does: every
   * refresh answers invalid_grant, however many token requests a refresh makes (retries included).
   */
  async revokeGrants(): Promise<void> {
    await this.control('POST', '/_control/revoke', {})
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = { method }
    if (body !== undefined) init.body = JSON.stringify(body)
    const response = await fetch(`${this.base}${path}`, init)
    if (!response.ok) throw new Error(`upstream control ${path} answered ${response.status}`)
    return response.json()
  }
}

/** The webhook requests that delivered events about `connectionId`, in order (delivery is asynchronous: poll). */
export async function webhookDeliveries(connectionId: string): Promise<LoggedRequest[]> {
  const sink = /^.*\/s\/([^/]+)\/webhook$/.exec(stringBinding('EVENTS_WEBHOOK_URL'))?.[1]
  if (sink === undefined) throw new Error('EVENTS_WEBHOOK_URL is not a webhook sink of the test upstream')
  const requests = await new UpstreamScenario(sink).requestsTo('/webhook')
  return requests.filter((request) => (JSON.parse(request.body) as { connectionId?: unknown }).connectionId === connectionId)
}

/** A binding vitest.config.ts adds for tests only (so not in the generated Env type). */
function stringBinding(name: string): string {
  const value: unknown = Reflect.get(env, name)
  if (typeof value !== 'string') throw new Error(`${name} is not bound: see upstreamBindings in vitest.config.ts`)
  return value
}
