/**
 * The connector's makeApiClient, evaluated and validated: where the API is and which
 * headers, query parameters and Basic credentials authenticate a request to it. Fields
 * may sit at the top level (the docs) or under `args:` (real connector files); both work.
 * `responseHandlers` is not supported yet and is ignored.
 */
import { LatchkeyError } from '../errors.ts'
import { allowsInsecureLoopback, isLoopbackHost } from '../oauth/oauth-config.ts'
import { readConnectorParameters } from '../registry/connector-parameters.ts'
import { runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'

/** A validated makeApiClient result. */
export interface ApiClientConfig {
  /** Absolute https URL (http only on loopback with ALLOW_INSECURE_LOOPBACK="true"). */
  baseUri: string
  /** Sent on every request; includes `Authorization: Basic ...` when `auth` is set. */
  headers: Record<string, string>
  /** Set on every request URL. */
  query: Record<string, string>
  auth?: { username: string; password: string }
}

/** Runs makeApiClient with the connection's credentials and input, then validates the result. */
export async function resolveApiClientConfig(
  connector: CompiledConnector,
  env: Env,
  credentials: Record<string, unknown>,
  connectionInput: Record<string, unknown>,
): Promise<ApiClientConfig> {
  const raw = await runMethod(connector, 'makeApiClient', {
    credentials,
    connectorParameters: readConnectorParameters(connector, env),
    connectionParameters: connectionInput,
    connectionInput,
  })
  return validateApiClientConfig(raw, { connectorKey: connector.key, allowInsecureLoopback: allowsInsecureLoopback(env.ALLOW_INSECURE_LOOPBACK) })
}

/** Validates a raw makeApiClient result (pure). Throws `connector_misconfigured` naming the field. */
export function validateApiClientConfig(raw: unknown, context: { connectorKey: string; allowInsecureLoopback: boolean }): ApiClientConfig {
  const fail = (message: string): LatchkeyError =>
    new LatchkeyError('connector_misconfigured', `makeApiClient of connector "${context.connectorKey}" ${message}`)
  if (!isRecord(raw)) throw fail('must return an object.')
  const { args, ...topLevel } = raw
  if (args !== undefined && !isRecord(args)) throw fail('returned args that is not an object.')
  const fields: Record<string, unknown> = { ...topLevel, ...args }

  const config: ApiClientConfig = {
    baseUri: baseUri(fields['baseUri'], context.allowInsecureLoopback, fail),
    headers: stringMap(fields['headers'], 'headers', fail),
    query: stringMap(fields['query'], 'query', fail),
  }
  for (const name of Object.keys(config.headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw fail(`returned a header name that is not valid: "${name}".`)
  }
  const auth = fields['auth']
  if (auth !== undefined && auth !== null) {
    if (!isRecord(auth) || typeof auth['username'] !== 'string' || typeof auth['password'] !== 'string') {
      throw fail('returned auth that is not {username, password} strings.')
    }
    config.auth = { username: auth['username'], password: auth['password'] }
    config.headers['Authorization'] = basicCredentials(auth['username'], auth['password'])
  }
  return config
}

/** HTTP Basic (RFC 7617) with UTF-8 user-id and password. */
function basicCredentials(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

function baseUri(value: unknown, allowInsecureLoopback: boolean, fail: (message: string) => LatchkeyError): string {
  if (typeof value !== 'string' || value === '') throw fail('returned no baseUri.')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw fail('returned a baseUri that is not an absolute URL.')
  }
  if (url.username !== '' || url.password !== '') throw fail('returned a baseUri with credentials in it; use auth instead.')
  if (url.search !== '' || url.hash !== '') throw fail('returned a baseUri with a query or fragment; use query instead.')
  if (url.protocol === 'https:') return value
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname) && allowInsecureLoopback) return value
  throw fail('returned a baseUri that is not https:// (tokens must not travel in clear text).')
}

function stringMap(value: unknown, field: string, fail: (message: string) => LatchkeyError): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (!isRecord(value)) throw fail(`returned ${field} that is not an object.`)
  const result: Record<string, string> = {}
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw fail(`returned ${field}.${name} that is not a string, number or boolean.`)
    }
    result[name] = String(item)
  }
  return result
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
