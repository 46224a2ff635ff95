/**
 * Test client for the upstream provider of test/setup/upstream-servers.ts (control API
 * documented there). One `UpstreamScenario` per test: its state is isolated by scenario id.
 */
import { env } from 'cloudflare:test'
import type { LoggedRequest, ScenarioConfig, ScriptedResponse } from '../setup/upstream-servers.ts'

/** `http://127.0.0.1:<port>` of the test upstream (the UPSTREAM_ORIGIN binding). */
export function upstreamOrigin(): string {
  const origin: unknown = Reflect.get(env, 'UPSTREAM_ORIGIN')
  if (typeof origin !== 'string') throw new Error('UPSTREAM_ORIGIN is not bound: is test/setup/upstream-servers.ts in globalSetup?')
  return origin
}

/** The request log of a scenario. */
export interface UpstreamLog {
  requests: LoggedRequest[]
  counts: Record<string, number>
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

  /** The logged requests to `path`. */
  async requestsTo(path: string): Promise<LoggedRequest[]> {
    return (await this.log()).requests.filter((request) => request.path === path)
  }

  /** Tokens issued without the browser dance (to seed a connection). */
  async grant(options: { scope?: string; clientId?: string } = {}): Promise<Record<string, unknown>> {
    return (await this.control('POST', '/_control/grant', options)) as Record<string, unknown>
  }

  /** Makes every access token issued so far invalid at the API. */
  async expireAccessTokens(): Promise<void> {
    await this.control('POST', '/_control/expire', {})
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = { method }
    if (body !== undefined) init.body = JSON.stringify(body)
    const response = await fetch(`${this.base}${path}`, init)
    if (!response.ok) throw new Error(`upstream control ${path} answered ${response.status}`)
    return response.json()
  }
}
