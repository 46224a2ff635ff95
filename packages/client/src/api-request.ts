/**
 * The direct proxy's requests, built in the caller's isolate by the same rules as Latchkey's
 * server-side proxy (src/connection/api-request.ts): the caller chooses the path, never the
 * host, so the connection's credentials only ever go to the connector's API. Other hosts,
 * `//host`, dot segments leaving baseUri and userinfo are refused before anything is sent.
 * test/client/api-request.node.test.ts runs one table of cases against both, so they cannot drift.
 */
import { LatchkeyClientError } from './errors.ts'
import type { ApiRequestInit } from './service-types.ts'

/** A call to send, read from the caller's Request or object: resendable after a 401. */
export interface ApiCall {
  /** Relative to baseUri (a leading `/` does not leave it), or an absolute URL under baseUri. */
  path: string
  method: string
  headers: [string, string][]
  body: ArrayBuffer | null
}

/** What a request is built with: the configuration's part of it. */
export interface ApiTarget {
  baseUri: string
  headers: Record<string, string>
  query: Record<string, string>
}

/** Largest request body the client buffers (it must keep it to retry after a 401); as Latchkey's proxy. */
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
 * an absolute URL is accepted only when it is under baseUri. Dot segments and encodings are
 * resolved before the check. Throws `invalid_request` otherwise.
 */
export function resolveApiUrl(baseUri: string, path: string): URL {
  const base = new URL(baseUri)
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
  if (!underBase) throw invalid("the proxy only sends requests under the connector's baseUri: pass a path relative to it.")
  url.hash = ''
  return url
}

/**
 * The outgoing request: the call's method, headers and body under baseUri, with the
 * configuration's query and headers, which win over the caller's (a caller cannot replace
 * the authentication). Redirects are handed back: following one could carry the credentials elsewhere.
 */
export function buildApiRequest(target: ApiTarget, call: ApiCall): Request {
  const url = resolveApiUrl(target.baseUri, call.path)
  for (const [name, value] of Object.entries(target.query)) url.searchParams.set(name, value)
  const headers = new Headers()
  for (const [name, value] of call.headers) if (!DROPPED_HEADERS.has(name.toLowerCase())) headers.append(name, value)
  for (const [name, value] of Object.entries(target.headers)) headers.set(name, value)
  const hasBody = call.body !== null && call.method !== 'GET' && call.method !== 'HEAD'
  return new Request(url, { method: call.method, headers, body: hasBody ? call.body : null, redirect: 'manual' })
}

function checkPath(path: unknown): string {
  // '' is the baseUri itself (a discovered connection's resource), as on the server.
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
    stream = new Response(body as BodyInit).body
  } catch {
    throw invalid('body must be a string, ArrayBuffer, typed array or ReadableStream.')
  }
  const bytes = await readLimitedBytes(stream, MAX_API_BODY_BYTES)
  if (bytes === null) throw invalid(`the request body is larger than ${MAX_API_BODY_BYTES} bytes.`)
  return bytes.buffer as ArrayBuffer
}

/** The stream's bytes, or null (the stream cancelled) when it holds more than `limit`. */
async function readLimitedBytes(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function invalid(message: string): LatchkeyClientError {
  return new LatchkeyClientError('invalid_request', `Proxy request refused: ${message}`)
}
