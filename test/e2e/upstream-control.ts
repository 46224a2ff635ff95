/**
 * The workerd side of the scripted upstream's control API (test/setup/upstream-servers.ts,
 * the flow engineer's): per-scenario configuration, scripted token responses, request log.
 */
import { env } from 'cloudflare:test'

/** A scripted answer (ScriptedResponse of test/setup/upstream-servers.ts). */
export interface ScriptedResponse {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  hang?: boolean
}

/** `http://127.0.0.1:<port>` of the scripted upstream (binding set by vitest.config.ts). */
export const upstreamOrigin = (env as unknown as { UPSTREAM_ORIGIN: string }).UPSTREAM_ORIGIN

function scenarioUrl(scenario: string, path: string): string {
  return `${upstreamOrigin}/s/${scenario}${path}`
}

async function control(scenario: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(scenarioUrl(scenario, path), { method: 'POST', body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`upstream control ${path} answered ${response.status}`)
  return response.json()
}

/** Makes the scenario's token endpoint require this client with HTTP Basic (S9). */
export async function requireBasicClient(scenario: string, client: { clientId: string; clientSecret: string }): Promise<void> {
  await control(scenario, '/_control/config', { client: { id: client.clientId, secret: client.clientSecret, auth: 'basic' } })
}

/** Changes how the scenario's provider behaves (e.g. `{ idToken: 'foreign_key' }` forges id_tokens). */
export async function configureScenario(scenario: string, config: Record<string, unknown>): Promise<void> {
  await control(scenario, '/_control/config', config)
}

/** Tokens for a new grant, as the token endpoint would answer them (refresh token included; an id_token when `scope` has openid). */
export async function issueGrant(scenario: string, options: { scope?: string } = {}): Promise<Record<string, unknown>> {
  return (await control(scenario, '/_control/grant', options)) as Record<string, unknown>
}

/** Queues answers for the next requests to the scenario's token endpoint. */
export async function scriptTokenEndpoint(scenario: string, responses: ScriptedResponse[]): Promise<void> {
  await control(scenario, '/_control/script', { path: '/token', responses })
}

/** How many requests reached `path` of the scenario (e.g. '/jwks'). */
export async function requestCount(scenario: string, path: string): Promise<number> {
  const response = await fetch(scenarioUrl(scenario, '/_control/log'))
  const log = (await response.json()) as { counts: Record<string, number> }
  return log.counts[path] ?? 0
}

/** How many requests reached the scenario's token endpoint. */
export function tokenEndpointHits(scenario: string): Promise<number> {
  return requestCount(scenario, '/token')
}

/**
 * The bodies of the connection events delivered so far about `connectionId`. EVENTS_WEBHOOK_URL
 * (vitest.config.ts) points at a webhook sink of this upstream, which logs what it receives.
 */
export async function deliveredEventBodies(connectionId: string): Promise<string[]> {
  const webhookUrl = (env as unknown as { EVENTS_WEBHOOK_URL: string }).EVENTS_WEBHOOK_URL
  const response = await fetch(webhookUrl.replace(/\/webhook$/, '/_control/log'))
  const log = (await response.json()) as { requests: Array<{ path: string; body: string }> }
  return log.requests
    .filter((request) => request.path === '/webhook' && (JSON.parse(request.body) as { connectionId?: unknown }).connectionId === connectionId)
    .map((request) => request.body)
}
