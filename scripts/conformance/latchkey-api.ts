/**
 * The two calls of Latchkey's HTTP API the adapter makes as an application backend would:
 * `POST /v1/connect-urls` and the proxy `/v1/connections/{id}/proxy/{path}` (README "HTTP API").
 * Latchkey's own refusals are problem+json documents with a stable `code`; they become a
 * LatchkeyRefusal. The proxy's other answers are the resource's, returned as they are.
 */

/** The problem+json media type of Latchkey's refusals. */
const PROBLEM_MEDIA_TYPE = 'application/problem+json'
const ERROR_CODE = /^[a-z_]{1,64}$/
/** Longest any one call may take (a connect-URL call discovers nothing; a proxied call may refresh once). */
const REQUEST_TIMEOUT_MS = 20_000

/** Latchkey refused a call with an error code (README "Error codes"). */
export class LatchkeyRefusal extends Error {
  readonly code: string
  readonly status: number

  constructor(code: string, status: number, detail: string) {
    super(`${code} (HTTP ${status}): ${detail}`)
    this.name = 'LatchkeyRefusal'
    this.code = code
    this.status = status
  }
}

/** Where Latchkey is and whom the calls are for. */
export interface LatchkeyApiOptions {
  origin: string
  apiKey: string
  tenant: string
}

/** The body of `POST /v1/connect-urls` the adapter sends. */
export interface ConnectUrlRequest {
  connectorKey: string
  connectionInput?: Record<string, unknown>
  connectionId?: string
  returnUrl: string
}

/** One request to the resource, through the proxy. */
export interface ProxiedRequest {
  method: 'GET' | 'POST' | 'DELETE'
  /** The path under the resource URL; `''` is the resource itself. */
  path: string
  headers: Record<string, string>
  body: string | null
}

/** The HTTP API of one Latchkey, for one tenant. */
export class LatchkeyApi {
  readonly #options: LatchkeyApiOptions

  constructor(options: LatchkeyApiOptions) {
    this.#options = options
  }

  /** A one-time connect URL; throws a LatchkeyRefusal. */
  async createConnectUrl(request: ConnectUrlRequest): Promise<string> {
    const response = await fetch(`${this.#options.origin}/v1/connect-urls`, {
      method: 'POST',
      headers: { ...this.#headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    if (!response.ok) throw await refusalOf(response)
    const body: unknown = await response.json()
    const url = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['url'] : undefined
    if (typeof url !== 'string' || !url.startsWith(`${this.#options.origin}/`)) throw new Error('POST /v1/connect-urls answered without a connect URL on Latchkey')
    return url
  }

  /** The resource's answer to `request`; throws a LatchkeyRefusal when Latchkey itself refused. */
  async proxy(connectionId: string, request: ProxiedRequest): Promise<Response> {
    const response = await fetch(`${this.#options.origin}/v1/connections/${encodeURIComponent(connectionId)}/proxy/${request.path}`, {
      method: request.method,
      headers: { ...request.headers, ...this.#headers() },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    if (isProblem(response)) throw await refusalOf(response)
    return response
  }

  #headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.#options.apiKey}`, 'Latchkey-Tenant': this.#options.tenant }
  }
}

function isProblem(response: Response): boolean {
  return (response.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() === PROBLEM_MEDIA_TYPE
}

/** The refusal a problem document (or any other non-2xx answer) stands for. */
export async function refusalOf(response: Response): Promise<LatchkeyRefusal> {
  const text = await response.text()
  if (isProblem(response)) {
    let problem: unknown
    try {
      problem = JSON.parse(text)
    } catch {
      problem = null
    }
    const record = typeof problem === 'object' && problem !== null ? (problem as Record<string, unknown>) : {}
    const code = record['code']
    const detail = record['detail']
    if (typeof code === 'string' && ERROR_CODE.test(code)) return new LatchkeyRefusal(code, response.status, typeof detail === 'string' ? detail : '')
  }
  return new LatchkeyRefusal('unexpected_response', response.status, `not a problem document: ${text.slice(0, 200)}`)
}
