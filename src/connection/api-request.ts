/**
 * API calls through a connection (the proxy): the caller's request, read into a plain
 * `ApiCall` it can resend after a refresh, then turned into a request under the
 * connector's baseUri with its authentication. Trust boundary: the caller chooses the path,
 * never the host, so credentials only ever go to the connector's API.
 */
import { LatchkeyError } from '../errors.ts'
import { readLimitedBytes } from '../limited-body.ts'
import type { ApiClientConfig } from './api-client-config.ts'

/** A request to proxy, as a plain value: resendable, serializable over RPC. */
export interface ApiCall {
  /** Relative to baseUri (a leading `/` does not leave it), or an absolute URL under baseUri. */
  path: string
  method: string
  headers: [string, string][]
  body: ArrayBuffer | null
  /**
   * Sent by the connector's own code (its methods' API client): an absolute URL outside
   * baseUri is then allowed, as the format specifies. Never set for other Workers' calls.
   */
  trusted?: boolean
}

/** The object form callers may pass instead of a Request. */
export interface ApiRequestInit {
  path: string
  method?: string
  headers?: Record<string, string> | [string, string][]
  body?: string | ArrayBuffer | ArrayBufferView | ReadableStream | null
}

/** Largest request body the proxy buffers (it must keep it to retry after a 401). */
export const MAX_API_BODY_BYTES = 10 * 1024 * 1024

const MAX_PATH_LENGTH = 8 * 1024
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/
/** Caller headers that would change the connection, not the call. */
const DROPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'upgrade', 'keep-alive', 'proxy-authorization', 'te', 'trailer'])

/** Reads and checks a caller's Request or request object. Throws `invalid_request`. */
export async function readApiCall(input: Request | ApiRequestInit): Promise<ApiCall> {
  if (input instanceof Request) {
    return {
      path: checkPath(input.url),
      method: checkMethod(input.method),
      headers: [...input.headers],
      body: input.body === null ? null : await readBody(input.body),
    }
  }
  if (typeof input !== 'object' || input === null) throw invalid('pass a Request or {path, method?, headers?, body?}.')
  return {
    path: checkPath(input.path),
    method: checkMethod(input.method ?? 'GET'),
    headers: checkHeaders(input.headers),
    body: input.body === undefined || input.body === null ? null : await readBody(input.body),
  }
}

/**
 * The URL of `path` under `baseUri`. Relative paths are appended to baseUri's path (so
 * `/user` with baseUri `https://api.example.com/v2` is `https://api.example.com/v2/user`);
 * an absolute URL is accepted only when it is under baseUri, unless `trusted` (the
 * connector's own code), which may name any https URL. Dot segments and encodings are
 * resolved before the check. Throws `invalid_request` otherwise.
 */
export function resolveApiUrl(baseUri: string, path: string, trusted = false): URL {
  const base = new URL(baseUri)
  // The baseUri itself, perhaps with a query: `/mcp` stays `/mcp`, never `/mcp/`.
  if (path === '' || path.startsWith('?')) return new URL(path, base)
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`
  // `//host/x` (and its backslash spellings) names another host: refused, not reinterpreted.
  if (/^[/\\]{2}/.test(path)) throw invalid('the path names another host; pass a path relative to the baseUri.')
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)
  let url: URL
  try {
    url = absolute ? new URL(path) : new URL(path.replace(/^[/\\]/, ''), `${base.origin}${basePath}`)
  } catch {
    throw invalid('the path is not a valid URL path.')
  }
  if (url.username !== '' || url.password !== '') throw invalid('the URL carries credentials.')
  const underBase = url.origin === base.origin && (url.pathname === base.pathname || url.pathname.startsWith(basePath))
  const trustedElsewhere = trusted && (url.origin === base.origin || (absolute && url.protocol === 'https:'))
  if (!underBase && !trustedElsewhere) {
    throw invalid("the proxy only sends requests under the connector's baseUri: pass a path relative to it.")
  }
  url.hash = ''
  return url
}

/**
 * The outgoing request: the call's method, headers and body under the connector's baseUri,
 * query and headers. For other Workers' calls the connector's query and headers win (a caller
 * cannot replace the authentication); the connector's own code may override them per call.
 */
export function buildApiRequest(config: ApiClientConfig, call: ApiCall): Request {
  const trusted = call.trusted === true
  const url = resolveApiUrl(config.baseUri, call.path, trusted)
  for (const [name, value] of Object.entries(config.query)) if (!trusted || !url.searchParams.has(name)) url.searchParams.set(name, value)
  const headers = new Headers()
  const callHeaders = call.headers.filter(([name]) => !DROPPED_HEADERS.has(name.toLowerCase()))
  for (const [name, value] of trusted ? [] : callHeaders) headers.append(name, value)
  for (const [name, value] of Object.entries(config.headers)) headers.set(name, value)
  for (const [name, value] of trusted ? callHeaders : []) headers.set(name, value)
  const hasBody = call.body !== null && call.method !== 'GET' && call.method !== 'HEAD'
  // Redirects are handed back to the caller: following one could carry the credentials elsewhere.
  return new Request(url, { method: call.method, headers, body: hasBody ? call.body : null, redirect: 'manual' })
}

function checkPath(path: unknown): string {
  // '' is the baseUri itself: a discovered connection's resource (an MCP endpoint) is one URL.
  if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH) throw invalid(`path must be a string of at most ${MAX_PATH_LENGTH} characters.`)
  return path
}

function checkMethod(method: unknown): string {
  if (typeof method !== 'string' || !METHOD.test(method)) throw invalid('method must be an HTTP method name.')
  const upper = method.toUpperCase()
  if (upper === 'CONNECT' || upper === 'TRACE') throw invalid(`method ${upper} cannot be proxied.`)
  return ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(upper) ? upper : method
}

function checkHeaders(headers: unknown): [string, string][] {
  if (headers === undefined || headers === null) return []
  try {
    return [...new Headers(headers as HeadersInit)]
  } catch {
    throw invalid('headers must be a record or a list of [name, value] pairs of valid header names and values.')
  }
}

async function readBody(body: NonNullable<ApiRequestInit['body']>): Promise<ArrayBuffer> {
  let stream: ReadableStream<Uint8Array> | null
  try {
    stream = new Response(body).body
  } catch {
    throw invalid('body must be a string, ArrayBuffer, typed array or ReadableStream.')
  }
  const bytes = await readLimitedBytes(stream, MAX_API_BODY_BYTES)
  if (bytes === null) throw invalid(`the request body is larger than ${MAX_API_BODY_BYTES} bytes.`)
  return bytes.buffer as ArrayBuffer
}

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('invalid_request', `Proxy request refused: ${message}`)
}
