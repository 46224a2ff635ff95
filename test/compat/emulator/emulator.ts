/**
 * What a provider emulator is to the outbound router (test/compat/outbound.ts): the hosts it
 * claims, the Worker bindings its connector needs, a request handler and a control handler.
 * Runs in Node (inside vitest's `miniflare.outboundService`), but uses Web APIs only, so
 * test files in workerd may import a provider file for its constants.
 */

/** One request as a provider emulator saw it (control calls are not logged). */
export interface LoggedRequest {
  /** Which endpoint answered: the provider's authorize page, its token endpoint, its API, or none. */
  endpoint: 'authorize' | 'token' | 'api' | 'unrouted'
  /** The grant the request belongs to (by code, refresh token or access token); null when unknown. */
  grant: string | null
  method: string
  /** The full URL, query included. */
  url: string
  host: string
  path: string
  query: Record<string, string>
  /** Lower-case names. */
  headers: Record<string, string>
  /** The body as text ('' when none). */
  body: string
  /** Parsed form or JSON body of a token request, else null. */
  form: Record<string, string> | null
  at: number
}

/** A request handed to an emulator: the body already read, so it can be logged and parsed. */
export interface EmulatedRequest {
  method: string
  url: URL
  headers: Headers
  body: string
}

/** What every emulator logs of `request` (emulators add their own fields). */
export function loggedRequest(request: EmulatedRequest, endpoint: LoggedRequest['endpoint'], grant: string | null, form: Record<string, string> | null): LoggedRequest {
  return {
    endpoint,
    grant,
    method: request.method,
    url: request.url.toString(),
    host: request.url.hostname,
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    headers: Object.fromEntries([...request.headers].map(([name, value]) => [name.toLowerCase(), value])),
    body: request.body,
    form,
    at: Date.now(),
  }
}

/** A provider emulator as the outbound router sees it. */
export interface ProviderEmulator {
  /** The connector key it serves; control calls go to `${CONTROL_ORIGIN}/<key>/<action>`. */
  readonly key: string
  /** Hostnames it answers for; `*.example.com` claims every subdomain of example.com. */
  readonly hosts: readonly string[]
  /** Worker bindings of its connector (`<KEY>__CLIENT_ID`, ...), added to the compat project. */
  readonly bindings: Readonly<Record<string, string>>
  /** Answers a request to one of its hosts; one it has no route for is answered with UNROUTED_HEADER set. */
  handle(request: EmulatedRequest): Promise<Response>
  /** A control call from a test; throws `UnknownControlAction` for an action it does not know. */
  control(action: string, input: Record<string, unknown>): Promise<unknown>
}

/** Factory of one provider emulator: each test run gets fresh state. */
export type ProviderEmulatorFactory = () => ProviderEmulator

/** Where tests send control calls; no emulator may claim this host. */
export const CONTROL_ORIGIN = 'https://emulator-control.test'

/** Header of an emulator's answer to a request it has no route for: the router records it as unexpected. */
export const UNROUTED_HEADER = 'X-Emulator-Unrouted'

/** Thrown by `control` for an action the emulator does not have (the router answers 404). */
export class UnknownControlAction extends Error {
  override readonly name = 'UnknownControlAction'
}

/** Whether `hostname` is one of `hosts` (exact, or a subdomain of a `*.` entry). */
export function claimsHost(hosts: readonly string[], hostname: string): boolean {
  return hosts.some((host) => (host.startsWith('*.') ? hostname.endsWith(host.slice(1)) && hostname.length > host.length - 1 : hostname === host))
}

/** A JSON response, as providers send them. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } })
}
