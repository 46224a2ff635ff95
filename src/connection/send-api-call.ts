/**
 * The API client engine: one call to the connector's API with the connection's
 * authentication, and the default behaviours around it. The proxy for other Workers and the
 * client object connector methods get both send through here, so they behave identically:
 * - `access_token_expired` (a 401, or a response handler saying so): one refresh (the
 *   connection's single flight) and one retry with the new credentials;
 * - `rate_limit_exceeded` (a 429, or a handler): retried with exponential backoff and full
 *   jitter, honouring `Retry-After`, until the next wait would pass the total budget;
 * - `connection_is_defunct` (a handler): the connection is marked as needing the user.
 */
import { LatchkeyError } from '../errors.ts'
import type { ApiRetrySettings } from '../settings.ts'
import type { ApiClientConfig, ResolvedApiClient } from './api-client-config.ts'
import { buildApiRequest, type ApiCall } from './api-request.ts'
import type { RequestSigner } from './oauth1-request-signer.ts'
import { ACCESS_TOKEN_EXPIRED, CONNECTION_IS_DEFUNCT, RATE_LIMIT_EXCEEDED, classifyApiResponse, readApiResponse, type ApiOutcome, type ApiResponse } from './api-response.ts'
import { parseRetryAfter } from './retry-policy.ts'

type Credentials = Record<string, unknown>

/** What the engine needs from the connection it calls for. */
export interface ApiCallContext {
  /** Valid credentials to start with (refreshed first when due). */
  credentials: Credentials
  /** makeApiClient for a set of credentials. */
  resolve(credentials: Credentials): Promise<ResolvedApiClient>
  /** Refreshes after the API refused `rejected`; returns them unchanged when nothing could be refreshed. */
  refresh(rejected: Credentials): Promise<Credentials>
  /** The API says only the user can repair the connection. */
  markDefunct(): Promise<void>
  /** Signs each request just before it is sent (OAuth 1.0a connections, oauth1-request-signer.ts); null: sent as built. */
  sign: RequestSigner | null
  rateLimit: ApiRetrySettings
  sleep(ms: number): Promise<void>
  random(): number
  now(): number
}

/** One finished call: the last response and what it meant. */
export interface ApiExchange {
  /** The upstream response; its body is unread when the caller asked for `bodyless` reading. */
  response: Response
  /** The read response (`null` when it was not read: a proxy call without response handlers). */
  read: ApiResponse | null
  outcome: ApiOutcome
  /** The body was over MAX_API_RESPONSE_BYTES and not read. */
  tooLarge: boolean
}

/**
 * How the caller consumes the response: `data` reads it for the caller (connector methods);
 * `stream` leaves the body for the caller and reads a copy only when response handlers
 * need it (the proxy).
 */
export type ResponseUse = 'data' | 'stream'

/** Sends `call` through the connection's API client configuration with the default behaviours above. */
export async function sendApiCall(call: ApiCall, use: ResponseUse, context: ApiCallContext): Promise<ApiExchange> {
  let credentials = context.credentials
  let refreshed = false
  let waitedMs = 0
  for (let attempt = 1; ; attempt += 1) {
    const config = configOf(await context.resolve(credentials))
    const { sign } = context
    const signed = credentials
    const exchange = await sendOnce(config.config, config.responseHandlers, call, use, sign === null ? null : (request) => sign(request, signed))
    const key = exchange.outcome.ok ? null : exchange.outcome.key
    if (key === ACCESS_TOKEN_EXPIRED && !refreshed) {
      refreshed = true
      const fresh = await context.refresh(credentials)
      if (fresh !== credentials) {
        await discard(exchange.response)
        credentials = fresh
        continue
      }
    }
    if (key === RATE_LIMIT_EXCEEDED) {
      const delayMs = rateLimitDelay(exchange.response, attempt, context)
      if (waitedMs + delayMs <= context.rateLimit.maxWaitMs) {
        await discard(exchange.response)
        await context.sleep(delayMs)
        waitedMs += delayMs
        continue
      }
    }
    if (key === CONNECTION_IS_DEFUNCT) await context.markDefunct()
    return exchange
  }
}

function configOf(resolved: ResolvedApiClient): Extract<ResolvedApiClient, { kind: 'config' }> {
  if (resolved.kind === 'config') return resolved
  throw new LatchkeyError(
    'connector_misconfigured',
    'makeApiClient returns a ready client object: Latchkey hands it to connector methods as is, but cannot send other calls (the proxy) through it. Return {baseUri, headers, query} instead.',
  )
}

async function sendOnce(
  config: ApiClientConfig,
  responseHandlers: Extract<ResolvedApiClient, { kind: 'config' }>['responseHandlers'],
  call: ApiCall,
  use: ResponseUse,
  sign: ((request: Request) => Promise<Request>) | null,
): Promise<ApiExchange> {
  const request = buildApiRequest(config, call)
  const response = await fetch(sign === null ? request : await sign(request))
  if (use === 'stream' && responseHandlers === null) {
    return { response, read: null, outcome: classifyApiResponse({ status: response.status, statusCode: response.status, headers: {}, data: undefined }, []), tooLarge: false }
  }
  // The proxy hands the body on: read a copy for the handlers.
  const { response: read, tooLarge } = await readApiResponse(use === 'stream' ? response.clone() : response)
  return { response, read, outcome: classifyApiResponse(read, responseHandlers === null ? [] : responseHandlers(read)), tooLarge }
}

/** `Retry-After` when the API sent one, else exponential backoff with full jitter. */
function rateLimitDelay(response: Response, attempt: number, context: ApiCallContext): number {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'), context.now())
  if (retryAfter !== null) return retryAfter
  return Math.floor(context.random() * context.rateLimit.baseDelayMs * 2 ** (attempt - 1))
}

/** Drops a response that will not be handed on (its body may already have been read). */
async function discard(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel()
}
