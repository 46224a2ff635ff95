/**
 * The compat project's `miniflare.outboundService` (vitest.config.ts): every outbound request
 * of the Worker, its Durable Objects and the test code arrives here, in Node.
 *
 * - A request to a host an emulator claims goes to that emulator.
 * - A request to CONTROL_ORIGIN is a control call: `POST /<key>/<action>` (JSON body) reaches
 *   emulator `<key>`; `POST /unexpected/take` returns and forgets the refused requests.
 * - ANY other request is refused: it is recorded, printed, and answered 502 with header
 *   REFUSED_HEADER (miniflare would turn a thrown error into a 500 anyway), so outbound HTTP
 *   that no test expected can never pass silently: every compat test file checks the record
 *   after each test. A request an emulator has no route for is recorded the same way (the
 *   emulator answers it 404).
 */
import { claimsHost, CONTROL_ORIGIN, UNROUTED_HEADER, UnknownControlAction, json, type ProviderEmulator, type ProviderEmulatorFactory } from './emulator/emulator.ts'

/** Header of the router's answer to a refused request. */
export const REFUSED_HEADER = 'X-Compat-Refused'

/** An outbound request the router refused or an emulator could not route. */
export interface UnexpectedRequest {
  method: string
  url: string
  reason: 'no emulator claims this host' | 'no emulated route'
  at: number
}

/** The router: `fetch` for miniflare, `bindings` for the Worker. */
export interface OutboundRouter {
  fetch(request: Request): Promise<Response>
  /** Every emulator's connector bindings (`<KEY>__CLIENT_ID`, ...). */
  bindings: Record<string, string>
}

/** Creates fresh emulators from `factories` and routes outbound requests to them. */
export function createOutboundRouter(factories: readonly ProviderEmulatorFactory[]): OutboundRouter {
  const emulators = factories.map((factory) => factory())
  checkDistinct(emulators)
  const unexpected: UnexpectedRequest[] = []

  function refuse(method: string, url: URL, reason: UnexpectedRequest['reason']): void {
    unexpected.push({ method, url: url.toString(), reason, at: Date.now() })
    console.error(`compat outbound: ${reason}: ${method} ${url} (outbound HTTP no test expected is an error)`)
  }

  async function control(url: URL, body: string): Promise<Response> {
    const [key = '', action = ''] = url.pathname.slice(1).split('/')
    if (key === 'unexpected' && action === 'take') return json(200, unexpected.splice(0))
    const emulator = emulators.find((candidate) => candidate.key === key)
    if (emulator === undefined) return json(404, { error: `no emulator ${key}` })
    try {
      return json(200, await emulator.control(action, body === '' ? {} : (JSON.parse(body) as Record<string, unknown>)))
    } catch (error) {
      return json(error instanceof UnknownControlAction ? 404 : 400, { error: String(error) })
    }
  }

  return {
    bindings: Object.assign({}, ...emulators.map((emulator) => emulator.bindings)) as Record<string, string>,
    async fetch(request) {
      const url = new URL(request.url)
      const body = request.body === null ? '' : await request.text()
      if (url.origin === CONTROL_ORIGIN) return control(url, body)
      const emulator = url.protocol === 'https:' ? emulators.find((candidate) => claimsHost(candidate.hosts, url.hostname)) : undefined
      if (emulator === undefined) {
        refuse(request.method, url, 'no emulator claims this host')
        return new Response(`compat outbound: refused ${request.method} ${url}: no emulator claims this host`, { status: 502, headers: { [REFUSED_HEADER]: 'true' } })
      }
      const response = await emulator.handle({ method: request.method, url, headers: new Headers(request.headers), body })
      if (response.headers.has(UNROUTED_HEADER)) refuse(request.method, url, 'no emulated route')
      return response
    },
  }
}

function checkDistinct(emulators: readonly ProviderEmulator[]): void {
  const seen = new Map<string, string>()
  for (const emulator of emulators) {
    for (const name of [`key ${emulator.key}`, ...emulator.hosts.map((host) => `host ${host}`)]) {
      const owner = seen.get(name)
      if (owner !== undefined) throw new Error(`compat emulators ${owner} and ${emulator.key} both claim ${name}`)
      seen.set(name, emulator.key)
    }
  }
}
