/**
 * What an API answered, and what it means: the response read into `{status, headers, data}`
 * (the shape Membrane's `responseHandlers` formulas see as `response`), then classified by
 * the connector's response handlers or, when none matches, by the default rules (2xx
 * success, 401 access_token_expired, 429 rate_limit_exceeded, anything else an error).
 * Trust boundary: the body is the API's, read up to a limit and never trusted as a value.
 */
import { readLimitedBytes } from '../limited-body.ts'

/** A response as response handlers and connector methods see it. */
export interface ApiResponse {
  status: number
  /** The same as `status` (Membrane's rest-api-mapping spelling). */
  statusCode: number
  /** Lower-case header names. */
  headers: Record<string, string>
  /** Parsed JSON when the body is JSON, else its text; `null` when there is no body. */
  data: unknown
}

/** Error keys that change what the API client does next (Membrane's connection error keys). */
export const ACCESS_TOKEN_EXPIRED = 'access_token_expired'
export const RATE_LIMIT_EXCEEDED = 'rate_limit_exceeded'
export const CONNECTION_IS_DEFUNCT = 'connection_is_defunct'
/** The key of any other failed request. */
export const API_REQUEST_FAILED = 'api_request_failed'

/** How a response was classified. */
export type ApiOutcome = { ok: true; data: unknown } | { ok: false; key: string; message: string | null; data: unknown }

/**
 * One entry of makeApiClient's `responseHandlers`, already evaluated against one response:
 * when `match` is truthy the handler decides; `isSuccess` truthy means success with `data`
 * (default: the response body), otherwise an error described by `error`.
 */
export interface EvaluatedResponseHandler {
  match?: unknown
  isSuccess?: unknown
  data?: unknown
  error?: { message?: unknown; key?: unknown; data?: unknown }
}

/** Evaluates the connector's response handlers against one response (in order). */
export type ResponseHandlers = (response: ApiResponse) => EvaluatedResponseHandler[]

/** Largest API response body the API client reads. */
export const MAX_API_RESPONSE_BYTES = 10 * 1024 * 1024

/**
 * Reads `response` (consuming its body) into an `ApiResponse`. A body over
 * `MAX_API_RESPONSE_BYTES` is not read: `data` is then `undefined` and `tooLarge` is set.
 */
export async function readApiResponse(response: Response): Promise<{ response: ApiResponse; tooLarge: boolean }> {
  const headers: Record<string, string> = {}
  for (const [name, value] of response.headers) headers[name.toLowerCase()] = value
  const base = { status: response.status, statusCode: response.status, headers }
  const bytes = await readLimitedBytes(response.body, MAX_API_RESPONSE_BYTES)
  if (bytes === null) return { response: { ...base, data: undefined }, tooLarge: true }
  return { response: { ...base, data: parseBody(new TextDecoder().decode(bytes), headers['content-type'] ?? '') }, tooLarge: false }
}

/**
 * The outcome of `response`: the first handler whose `match` is truthy decides; without one,
 * the default rules apply. Pure.
 */
export function classifyApiResponse(response: ApiResponse, handlers: EvaluatedResponseHandler[]): ApiOutcome {
  const handler = handlers.find((candidate) => Boolean(candidate.match))
  if (handler !== undefined) {
    if (handler.isSuccess) return { ok: true, data: handler.data !== undefined ? handler.data : response.data }
    const error = handler.error ?? {}
    return {
      ok: false,
      key: typeof error.key === 'string' && error.key !== '' ? error.key : API_REQUEST_FAILED,
      message: typeof error.message === 'string' && error.message !== '' ? error.message : null,
      data: error.data !== undefined ? error.data : response.data,
    }
  }
  if (response.status >= 200 && response.status <= 299) return { ok: true, data: response.data }
  const key = response.status === 401 ? ACCESS_TOKEN_EXPIRED : response.status === 429 ? RATE_LIMIT_EXCEEDED : API_REQUEST_FAILED
  return { ok: false, key, message: null, data: response.data }
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return null
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text, (key: string, value: unknown) => (key === '__proto__' ? undefined : value))
    } catch {
      return text
    }
  }
  return text
}
