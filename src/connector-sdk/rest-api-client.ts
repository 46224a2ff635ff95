/**
 * `RestApiClient`, as Membrane connectors import it from `@integration-app/connector-sdk`:
 * `new RestApiClient({baseUri, headers, query, auth, responseHandlers, onError})`. Returned from
 * a JavaScript makeApiClient, Latchkey reads its options as the API client configuration
 * (api-client-config.ts), so refresh, retries and the proxy work as with a mapping. Built by
 * a connector's own code (e.g. inside its test), it sends requests by itself with the same
 * client, without a connection behind it to refresh.
 */
import { createApiClient, type ApiClient, type ApiRequestOptions } from '../connection/api-client.ts'
import { API_CLIENT_OPTIONS, clientConfigurationOf } from '../connection/api-client-config.ts'
import type { ApiResponse } from '../connection/api-response.ts'
import { sendApiCall } from '../connection/send-api-call.ts'
import { DEFAULT_API_RETRY } from '../settings.ts'

/** Options of a RestApiClient: makeApiClient's fields, plus Membrane's `onError` hook. */
export interface RestApiClientOptions {
  baseUri: string
  headers?: Record<string, unknown>
  query?: Record<string, unknown>
  auth?: { username: string; password: string }
  responseHandlers?: unknown[]
  /** Called for a failed response; may throw a ConnectionError whose key says what to do. */
  onError?: (error: FailedResponse) => unknown
}

/** What `onError` is called with (the axios-like shape connectors read: `error.response.status`). */
export interface FailedResponse {
  response: ApiResponse
  status: number
  data: unknown
  message: string
}

export class RestApiClient implements Omit<ApiClient, 'baseUri' | 'headers' | 'query'> {
  /** Read by Latchkey when makeApiClient returns this client. */
  readonly [API_CLIENT_OPTIONS]: RestApiClientOptions
  #client: ApiClient | null = null

  constructor(options: RestApiClientOptions) {
    this[API_CLIENT_OPTIONS] = options
  }

  get baseUri(): string {
    return this[API_CLIENT_OPTIONS].baseUri
  }

  get(path: string, query?: Record<string, unknown>, options?: ApiRequestOptions): Promise<unknown> {
    return this.#standalone().get(path, query, options)
  }

  post(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown> {
    return this.#standalone().post(path, data, options)
  }

  put(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown> {
    return this.#standalone().put(path, data, options)
  }

  patch(path: string, data?: unknown, options?: ApiRequestOptions): Promise<unknown> {
    return this.#standalone().patch(path, data, options)
  }

  delete(path: string, query?: Record<string, unknown>, options?: ApiRequestOptions): Promise<unknown> {
    return this.#standalone().delete(path, query, options)
  }

  // Without a connection: nothing to refresh or mark defunct; rate limits back off as usual.
  #standalone(): ApiClient {
    if (this.#client) return this.#client
    const resolved = clientConfigurationOf(this[API_CLIENT_OPTIONS], { connectorKey: 'RestApiClient', allowInsecureLoopback: false })
    const context = {
      credentials: {},
      resolve: async () => resolved,
      refresh: async (rejected: Record<string, unknown>) => rejected,
      markDefunct: async () => undefined,
      sign: null,
      rateLimit: DEFAULT_API_RETRY,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      now: Date.now,
    }
    this.#client = createApiClient(resolved.config, (call) => sendApiCall(call, 'data', context), [resolved.config.headers['Authorization'] ?? ''])
    return this.#client
  }
}
