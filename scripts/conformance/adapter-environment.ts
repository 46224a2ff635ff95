/**
 * What the conformance runner (run.ts) tells the adapter (latchkey-mcp-client.ts) through the
 * environment, beside the suite's own MCP_CONFORMANCE_* variables: where Latchkey is and the API
 * key to call it with. The suite spawns the adapter through a shell with its own environment, so
 * variables are the one channel both sides share.
 */

/** Names of the variables, as the runner sets them. */
export const ADAPTER_ENVIRONMENT = {
  /** Latchkey's origin (its PUBLIC_BASE_URL), e.g. `http://localhost:8787`. */
  latchkeyOrigin: 'LATCHKEY_CONFORMANCE_ORIGIN',
  /** An HTTP API key (`lk_<id>_<secret>`) with connections:write and proxy. */
  apiKey: 'LATCHKEY_CONFORMANCE_API_KEY',
  /** Where connect flows end: an URL on an allowed return origin, never fetched. */
  returnUrl: 'LATCHKEY_CONFORMANCE_RETURN_URL',
} as const

/** The suite's variables (MCP conformance runner, src/runner/client.ts). */
export const SUITE_ENVIRONMENT = {
  scenario: 'MCP_CONFORMANCE_SCENARIO',
  protocolVersion: 'MCP_CONFORMANCE_PROTOCOL_VERSION',
  context: 'MCP_CONFORMANCE_CONTEXT',
} as const

/** The adapter's settings, checked. */
export interface AdapterSettings {
  latchkeyOrigin: string
  apiKey: string
  returnUrl: string
  /** The scenario's name, for the tenant and the log; `unknown` when run by hand. */
  scenario: string
  /** The MCP revision to speak. */
  protocolVersion: string
}

/** The revision spoken when the suite names none (its default before 2026-07-28). */
export const DEFAULT_PROTOCOL_VERSION = '2025-11-25'

const API_KEY = /^lk_[a-z0-9]{8,32}_[A-Za-z0-9_-]{32,128}$/
const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/

/** Reads and checks the settings from `environment`; throws an Error naming what is missing or malformed (never a value). */
export function readAdapterSettings(environment: NodeJS.ProcessEnv): AdapterSettings {
  const origin = httpUrl(environment[ADAPTER_ENVIRONMENT.latchkeyOrigin], ADAPTER_ENVIRONMENT.latchkeyOrigin)
  if (origin.origin !== origin.href.replace(/\/$/, '')) throw new Error(`${ADAPTER_ENVIRONMENT.latchkeyOrigin} must be an origin (no path, query or fragment)`)
  const apiKey = environment[ADAPTER_ENVIRONMENT.apiKey]
  if (apiKey === undefined || !API_KEY.test(apiKey)) throw new Error(`${ADAPTER_ENVIRONMENT.apiKey} must be a Latchkey API key (lk_<id>_<secret>)`)
  const returnUrl = httpUrl(environment[ADAPTER_ENVIRONMENT.returnUrl], ADAPTER_ENVIRONMENT.returnUrl)
  const protocolVersion = environment[SUITE_ENVIRONMENT.protocolVersion] ?? DEFAULT_PROTOCOL_VERSION
  if (!PROTOCOL_VERSION.test(protocolVersion)) throw new Error(`${SUITE_ENVIRONMENT.protocolVersion} must be a dated MCP revision (YYYY-MM-DD)`)
  const scenario = environment[SUITE_ENVIRONMENT.scenario] ?? 'unknown'
  return { latchkeyOrigin: origin.origin, apiKey, returnUrl: returnUrl.href, scenario, protocolVersion }
}

/**
 * Whether the suite's scenario context offers a pre-registered client (`client_id`, as in
 * auth/pre-registration). The adapter has no way to hand it to Latchkey, which takes
 * pre-registered clients from its MCP_CLIENTS secret only, so it only says so; nothing of the
 * context (a client secret among it) is ever printed.
 */
export function suiteOffersClient(environment: NodeJS.ProcessEnv): boolean {
  const context = environment[SUITE_ENVIRONMENT.context]
  if (context === undefined) return false
  try {
    const parsed: unknown = JSON.parse(context)
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as Record<string, unknown>)['client_id'] === 'string'
  } catch {
    return false
  }
}

function httpUrl(value: string | undefined, name: string): URL {
  if (value === undefined) throw new Error(`${name} is not set`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${name} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL`)
  return url
}
