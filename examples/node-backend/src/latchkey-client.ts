/**
 * The Latchkey HTTP API client: openapi-fetch over the types openapi-typescript generated from
 * Latchkey's OpenAPI document (latchkey-api.d.ts, `npm run example:types`), so every path,
 * parameter and body below is checked by the compiler against the API.
 */
import createClient, { type Client } from 'openapi-fetch'
import type { components, paths } from './latchkey-api.d.ts'

/** A typed client of the HTTP API: `client.GET('/v1/connections', ...)`. */
export type LatchkeyClient = Client<paths>

export type ConnectionSummary = components['schemas']['ConnectionSummary']
export type AccessToken = components['schemas']['AccessToken']
export type Credentials = components['schemas']['Credentials']
export type ConnectUrl = components['schemas']['ConnectUrl']
export type CreateConnectionRequest = components['schemas']['CreateConnectionRequest']
export type CreateConnectUrlRequest = components['schemas']['CreateConnectUrlRequest']

/** Where Latchkey is, and the key to call it with. */
export interface LatchkeyClientOptions {
  /** Latchkey's origin, e.g. `https://latchkey.example.com` (http only on this machine). */
  baseUrl: string
  /** `lk_<key id>_<secret>`, from `npm run api-key -- create`. */
  apiKey: string
}

/** The shape of a key; checked here so a pasted mistake fails before any request carries it. */
const API_KEY = /^lk_[a-z0-9]{8,32}_[A-Za-z0-9_-]{43,128}$/
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * A client that sends the key as `Authorization: Bearer` on every request. Refuses a malformed
 * key, and plain http anywhere but on this machine: the key would cross the network readable.
 */
export function createLatchkeyClient(options: LatchkeyClientOptions): LatchkeyClient {
  let url: URL
  try {
    url = new URL(options.baseUrl)
  } catch {
    throw new Error('The Latchkey URL is not a URL (e.g. https://latchkey.example.com).')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error('The Latchkey URL must be https (http only for localhost): the API key must not cross a network readable.')
  }
  // The key is never echoed, not even in part: a near miss is still most of a secret.
  if (!API_KEY.test(options.apiKey)) throw new Error('The API key is not a Latchkey API key (lk_<key id>_<secret>, from `npm run api-key -- create`).')
  return createClient<paths>({ baseUrl: `${url.origin}${url.pathname}`, headers: { Authorization: `Bearer ${options.apiKey}` } })
}
