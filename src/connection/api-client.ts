/**
 * The API client object connector methods receive as `apiClient` (and `externalApiClient`):
 * Membrane's contract, `await apiClient.get('/me')` returning the parsed body, over the
 * engine in send-api-call.ts (refresh on expiry, rate-limit backoff, response handlers).
 * Failures throw `ApiRequestError` (a Membrane-shaped error), whose `key` says what happened
 * and whose message and `data` never carry a credential.
 */
import { ConnectionErrorKey, ErrorType, IntegrationAppError } from '../connector-sdk/errors.ts'
import { MAX_API_RESPONSE_BYTES, type ApiResponse } from './api-response.ts'
import type { ApiClientConfig } from './api-client-config.ts'
import { resolveApiUrl, type ApiCall } from './api-request.ts'
import type { ApiExchange } from './send-api-call.ts'

/** Per-call options of every request method. */
export interface ApiRequestOptions {
  headers?: Record<string, string>
  query?: Record<string, unknown>
  /** Resolve to `{status, statusCode, headers, data}` instead of the body. */
  returnFullResponse?: boolean
}

/** What `test`, `disconnect` and rest-api-mapping methods call the API with. */
export interface ApiClient {
  /** The evaluated makeApiClient, for connectors that build requests themselves. */
  readonly baseUri: string
  readonly headers: Record<string, string>
  readonly query: Record<string, string>
  get(path: string, query?: Record<string, unknown>, options?: ApiRequestOptions): Promise<unknown>
  post(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown>
  put(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown>
  patch(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown>
  delete(path: string, query?: Record<string, unknown>, options?: ApiRequestOptions): Promise<unknown>
}

/**
 * A request through the API client failed. Shaped like Membrane's errors (`IntegrationAppError`):
 * `data` is `{type, key, message, data}` with the response body (bounded, credentials masked)
 * or the response handler's error data in `data.data`; `key` and `status` are at hand too.
 */
export class ApiRequestError extends IntegrationAppError {
  /** Membrane's error key, e.g. `access_token_expired`. */
  readonly key: string
  /** The HTTP status, or `null` when no response was read. */
  readonly status: number | null

  constructor(key: string, message: string, status: number | null, data: unknown) {
    const connectionKeys: string[] = Object.values(ConnectionErrorKey)
    super({ type: connectionKeys.includes(key) ? ErrorType.CONNECTION : ErrorType.BAD_REQUEST, key, message, data })
    this.key = key
    this.status = status
  }
}

/** Longest body excerpt an error carries. */
const EXCERPT_CHARACTERS = 300

/**
 * The client object for one connector method run. `send` is the engine bound to the
 * connection; `secrets` are values masked in every error (tokens, keys).
 */
export function createApiClient(config: ApiClientConfig, send: (call: ApiCall) => Promise<ApiExchange>, secrets: readonly string[]): ApiClient {
  const request = async (method: string, path: string, query: Record<string, unknown> | undefined, data: unknown, options: ApiRequestOptions = {}): Promise<unknown> => {
    const call = await callOf(method, path, { ...query, ...options.query }, data, options.headers ?? {})
    const exchange = await send(call)
    const read = exchange.read as ApiResponse
    const where = `${method} ${pathnameOf(config.baseUri, call.path)}`
    if (exchange.tooLarge) throw new ApiRequestError('api_request_failed', `${where}: the response is larger than ${MAX_API_RESPONSE_BYTES} bytes.`, read.status, undefined)
    if (!exchange.outcome.ok) {
      const { key, message, data: errorData } = exchange.outcome
      const excerpt = mask(excerptOf(read.data), secrets)
      const text = message !== null ? mask(message, secrets) : `${where} answered HTTP ${read.status}${excerpt === '' ? '' : `: ${excerpt}`}`
      throw new ApiRequestError(key, `${text} (${key})`, read.status, maskValue(errorData, secrets))
    }
    return options.returnFullResponse ? { ...read, data: exchange.outcome.data } : exchange.outcome.data
  }
  return {
    baseUri: config.baseUri,
    headers: { ...config.headers },
    query: { ...config.query },
    get: (path, query, options) => request('GET', path, query, undefined, options),
    post: (path, data, options) => request('POST', path, undefined, data, options),
    put: (path, data, options) => request('PUT', path, undefined, data, options),
    patch: (path, data, options) => request('PATCH', path, undefined, data, options),
    delete: (path, query, options) => request('DELETE', path, query, undefined, options),
  }
}

/** The engine's call for one request: query appended to the path, data encoded (objects as JSON). */
async function callOf(method: string, path: string, query: Record<string, unknown>, data: unknown, headers: Record<string, string>): Promise<ApiCall> {
  if (typeof path !== 'string' || path === '') throw new ApiRequestError('api_request_failed', `${method}: the path must be a non-empty string.`, null, undefined)
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item))
  }
  const queryText = search.toString()
  const fullPath = queryText === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${queryText}`
  const callHeaders = new Headers(headers)
  let body: ArrayBuffer | null = null
  if (data !== undefined && data !== null) {
    const encoded = encodeBody(data, callHeaders.get('Content-Type'))
    body = await encoded.arrayBuffer()
    const contentType = encoded.headers.get('Content-Type')
    if (contentType !== null && !callHeaders.has('Content-Type')) callHeaders.set('Content-Type', contentType)
  }
  return { path: fullPath, method, headers: [...callHeaders], body, trusted: true }
}

/** Objects become JSON, or a form when the caller set a form Content-Type; strings, bytes and forms go as they are. */
function encodeBody(data: unknown, contentType: string | null): Response {
  const isPlainObject =
    typeof data === 'object' &&
    !(data instanceof ArrayBuffer) &&
    !ArrayBuffer.isView(data) &&
    !(data instanceof FormData) &&
    !(data instanceof URLSearchParams) &&
    !(data instanceof Blob) &&
    !(data instanceof ReadableStream)
  if (isPlainObject || typeof data === 'number' || typeof data === 'boolean') {
    if (isPlainObject && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return new Response(new URLSearchParams(Object.entries(data as Record<string, unknown>).map(([name, value]): [string, string] => [name, String(value)])))
    }
    return new Response(JSON.stringify(data), { headers: { 'Content-Type': 'application/json' } })
  }
  return new Response(data as BodyInit)
}

/** The path part of the URL a call went to, for messages (its query may carry a key). */
function pathnameOf(baseUri: string, path: string): string {
  try {
    return resolveApiUrl(baseUri, path, true).pathname
  } catch {
    return '(invalid path)'
  }
}

function excerptOf(data: unknown): string {
  if (data === null || data === undefined) return ''
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  return text.length > EXCERPT_CHARACTERS ? `${text.slice(0, EXCERPT_CHARACTERS)}…` : text
}

function mask(text: string, secrets: readonly string[]): string {
  let masked = text
  for (const secret of secrets) if (secret.length >= 8) masked = masked.split(secret).join('[masked]')
  return masked
}

/** `data` with every secret masked; large values become a bounded excerpt. */
function maskValue(data: unknown, secrets: readonly string[]): unknown {
  if (data === undefined || data === null) return data
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  if (text.length > 64 * 1024) return mask(excerptOf(text), secrets)
  const masked = mask(text, secrets)
  if (masked === text) return data
  if (typeof data === 'string') return masked
  try {
    return JSON.parse(masked) as unknown
  } catch {
    return masked
  }
}
