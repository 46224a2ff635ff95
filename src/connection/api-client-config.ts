/**
 * The connector's makeApiClient, evaluated and validated: where the API is, which headers,
 * query parameters and Basic credentials authenticate a request to it, and how its
 * responses are read (`responseHandlers`). Fields may sit at the top level (the docs) or
 * under `args:` (real connector files); both work. A JavaScript makeApiClient may instead
 * return a ready client object (with `get`, `post`, ...), which connector methods get as is.
 */
import { evaluateMapping, type MappingNode } from '../formula/index.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { isLoopbackHost } from '../loopback-host.ts'
import type { ConnectorContext } from '../registry/connector-context.ts'
import { runMethod } from '../registry/registry.ts'
import type { CompiledConnector, CompiledMethod } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { errorKeyOf } from '../connector-sdk/errors.ts'
import type { ApiResponse, EvaluatedResponseHandler, ResponseHandlers } from './api-response.ts'

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

/** What makeApiClient made for one set of credentials. */
export type ResolvedApiClient =
  /** A configuration the API client engine sends requests with. */
  | { kind: 'config'; config: ApiClientConfig; responseHandlers: ResponseHandlers | null }
  /** A ready client object a JavaScript makeApiClient returned: methods get it as is. */
  | { kind: 'client'; client: object }

/**
 * Runs makeApiClient with the connection's credentials over `context` (the operation's
 * `connectorContext`), then validates the result. A mapping's `responseHandlers` are not
 * evaluated here: they are formulas over each response, evaluated when one arrives (with the
 * same variables plus `response`).
 */
export async function resolveApiClient(
  connector: CompiledConnector,
  settings: Settings,
  context: ConnectorContext,
  credentials: Record<string, unknown>,
): Promise<ResolvedApiClient> {
  const variables = { ...context, credentials }
  const method = connector.auth.methods.makeApiClient
  const checks = { connectorKey: connector.key, allowInsecureLoopback: settings.allowInsecureLoopback }
  if (method?.implementationType === 'mapping') {
    const { config, handlers } = splitResponseHandlers(method)
    const raw = evaluateMapping(config, variables)
    const responseHandlers: ResponseHandlers | null =
      handlers === null ? null : (response) => checkHandlers(evaluateMapping(handlers, { ...variables, response }), checks.connectorKey)
    return { kind: 'config', config: validateApiClientConfig(raw, checks), responseHandlers }
  }
  const raw = await runMethod(connector, 'makeApiClient', variables)
  if (hasClientOptions(raw)) return clientConfigurationOf(raw[API_CLIENT_OPTIONS], checks)
  if (isReadyClient(raw)) return { kind: 'client', client: raw }
  return clientConfigurationOf(raw, checks)
}

/**
 * Where a `RestApiClient` (src/connector-sdk/) keeps its options: a makeApiClient returning
 * one is read as the configuration it was built with.
 */
export const API_CLIENT_OPTIONS: unique symbol = Symbol.for('latchkey.apiClientOptions')

function hasClientOptions(value: unknown): value is { [API_CLIENT_OPTIONS]: unknown } {
  return typeof value === 'object' && value !== null && API_CLIENT_OPTIONS in value
}

/**
 * A JavaScript makeApiClient's result (or a RestApiClient's options) as a configuration: its
 * `responseHandlers` (values as they are, functions called with `{response}`) and Membrane's
 * `onError` hook, which sees failed responses and may throw a keyed ConnectionError.
 */
export function clientConfigurationOf(raw: unknown, context: { connectorKey: string; allowInsecureLoopback: boolean }): Extract<ResolvedApiClient, { kind: 'config' }> {
  const config = validateApiClientConfig(raw, context)
  const fields = isRecord(raw) ? { ...raw, ...(isRecord(raw['args']) ? raw['args'] : {}) } : {}
  const handlers = fields['responseHandlers']
  const onError = fields['onError']
  if ((handlers === undefined || handlers === null) && typeof onError !== 'function') return { kind: 'config', config, responseHandlers: null }
  const responseHandlers: ResponseHandlers = (response) => [
    ...(handlers === undefined || handlers === null ? [] : evaluateHandlerValues(handlers, response, context.connectorKey)),
    ...(typeof onError === 'function' ? onErrorHandler(onError as (error: unknown) => unknown, response) : []),
  ]
  return { kind: 'config', config, responseHandlers }
}

/** Membrane's `onError(error)` on a failed response: what it throws decides the outcome (its `data.key`, if any). */
function onErrorHandler(onError: (error: unknown) => unknown, response: ApiResponse): EvaluatedResponseHandler[] {
  if (response.status >= 200 && response.status <= 299) return []
  try {
    onError({ response, status: response.status, data: response.data, message: `HTTP ${response.status}` })
  } catch (error) {
    const message = error instanceof Error ? error.message : undefined
    return [{ match: true, error: { key: errorKeyOf(error) ?? undefined, message } }]
  }
  return []
}

/** A client object has request methods; a configuration is plain data. */
function isReadyClient(value: unknown): value is object {
  return typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function'
}

const splitCache = new WeakMap<CompiledMethod, { config: MappingNode; handlers: MappingNode | null }>()

/** The makeApiClient mapping without its `responseHandlers` (top level or under `args`), and those handlers. */
function splitResponseHandlers(method: Extract<CompiledMethod, { implementationType: 'mapping' }>): { config: MappingNode; handlers: MappingNode | null } {
  const cached = splitCache.get(method)
  if (cached) return cached
  let handlers: MappingNode | null = null
  const without = (node: MappingNode, descend: boolean): MappingNode => {
    if (node === null || typeof node !== 'object' || node.op !== 'object') return node
    const entries: Array<[string, MappingNode]> = []
    for (const [key, child] of node.entries) {
      if (key === 'responseHandlers') handlers = child
      else entries.push([key, descend && key === 'args' ? without(child, false) : child])
    }
    return { op: 'object', entries }
  }
  const split = { config: without(method.mapping, true), handlers }
  splitCache.set(method, split)
  return split
}

/** A JavaScript makeApiClient's handlers: values as they are, functions called with `{response}`. */
function evaluateHandlerValues(handlers: unknown, response: ApiResponse, connectorKey: string): EvaluatedResponseHandler[] {
  if (!Array.isArray(handlers)) return checkHandlers(handlers, connectorKey)
  const evaluated = (value: unknown): unknown => (typeof value === 'function' ? (value as (args: { response: ApiResponse }) => unknown)({ response }) : value)
  return checkHandlers(
    handlers.map((handler: unknown) => (isRecord(handler) ? Object.fromEntries(Object.entries(handler).map(([key, value]) => [key, evaluated(value)])) : handler)),
    connectorKey,
  )
}

function checkHandlers(value: unknown, connectorKey: string): EvaluatedResponseHandler[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every(isRecord)) {
    throw new LatchkeyError(
      'connector_misconfigured',
      `makeApiClient of connector "${connectorKey}" returned responseHandlers that is not a list of {match, isSuccess, data, error}.`,
    )
  }
  return value.map((handler) => {
    const error = handler['error']
    return { match: handler['match'], isSuccess: handler['isSuccess'], data: handler['data'], ...(isRecord(error) && { error }) }
  })
}

/** Validates a raw makeApiClient result (pure). Throws `connector_misconfigured` naming the field. */
export function validateApiClientConfig(raw: unknown, context: { connectorKey: string; allowInsecureLoopback: boolean }): ApiClientConfig {
  const fail = (message: string): LatchkeyError => new LatchkeyError('connector_misconfigured', `makeApiClient of connector "${context.connectorKey}" ${message}`)
  if (!isRecord(raw)) throw fail('must return an object.')
  const { args, ...topLevel } = raw
  if (args !== undefined && args !== null && !isRecord(args)) throw fail('returned args that is not an object.')
  const fields: Record<string, unknown> = { ...topLevel, ...(isRecord(args) ? args : {}) }

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
