/**
 * Bench harness Worker (bench-only; never deployed). Runs N calls in a loop inside workerd
 * and returns raw timings as JSON; bench/run.ts turns them into percentiles and ratios.
 *
 * workerd's clocks (`Date.now()`, `performance.now()`) have 1 ms resolution (checked by
 * `/bench/clock`), while one RPC round trip takes tens of microseconds. Sequential paths are
 * therefore timed in batches of `batch` calls; the per-call latency of a batch is its
 * duration divided by `batch`. Concurrent paths (storm, redirects) time each call, since
 * those take milliseconds.
 *
 *   GET /bench/clock                                what the clock resolves (see above)
 *   GET /bench/floor?n&batch                        DO RPC to FloorObject returning a constant
 *   GET /bench/floor-via-service?n&batch            service binding RPC -> FloorService -> FloorObject
 * (FloorObject and FloorService live in their own Worker, bench/workers/floor, so every hop
 * crosses isolates exactly as the calls into the Latchkey Worker do.)
 *   GET /bench/connection-object?n&batch&tenant&connectionId   ConnectionObject.getAccessToken directly
 *   GET /bench/get-access-token?n&batch&tenant&connectionId    LatchkeyService.getAccessToken
 *   GET /bench/proxy?n&batch&tenant&connectionId    LatchkeyService.proxy {path: '/me'}
 *   GET /bench/direct-fetch?n&batch&profile         fetch of the same upstream URL, fixed header
 *   GET /bench/fetch-via-service?n&batch&profile    the same fetch made by FloorObject behind FloorService
 *   GET /bench/storm?n&tenant&connectionId          n concurrent getAccessToken calls
 *   GET /bench/storm-floor?n                        n concurrent calls of the structural floor (FloorService)
 * The client package (packages/client), as a caller Worker uses it:
 *   GET /bench/client-hit?n&batch&tenant&connectionId     client getAccessToken, answered from the isolate cache
 *   GET /bench/client-miss?n&batch&tenant&connectionId    client getAccessToken on a miss (the entry evicted before each call)
 *   GET /bench/client-fetch?n&batch&tenant&connectionId   client fetchApi {path: '/me'}: the direct proxy, cached configuration
 *   GET /bench/client-storm?n&tenant&connectionId         n concurrent client getAccessToken, on a new client (empty cache)
 *   GET /bench/client-rpcs                                the RPCs the harness's clients made since the last call, per method
 * Listing at scale:
 *   POST /bench/seed-listing?tenant&n                stores n connections of `tenant` (storeAuthorizedConnection, 50 at a time)
 *   GET /bench/list-connections?n&batch&tenant       LatchkeyService.listConnections(tenant, {limit: 100}): the first page
 *   GET /bench/floor-entries?n&batch                 DO RPC to FloorObject returning 100 summary-shaped entries
 *   GET /bench/floor-entries-via-service?n&batch     the same through FloorService (the two hops of listConnections)
 * The HTTP API (row 10), with the bench API key; without `origin` through LATCHKEY_HTTP (a service
 * binding's fetch: no network), with `origin` (wrangler dev's own http://127.0.0.1:<port>) over
 * loopback HTTP, in again through this Worker's fetch handler and LATCHKEY_HTTP:
 *   GET /bench/http-access-token?n&batch&tenant&connectionId[&origin][&refused]   GET /v1/connections/:id/access-token
 *                                                   (with `refused=1` a wrong secret: answered 401 by the API's guard)
 *   GET /bench/http-health?n&batch[&origin]         GET /health: Latchkey's fetch handler answering at once
 *   GET /bench/api-key-check?n&batch                checkApiKey on the bench key: one SHA-256, one constant-time compare
 *   GET /bench/log-line?n&batch                     console.log of one audit-shaped JSON line (what every HTTP API call writes)
 *   GET /bench/rate-limit?n&batch                   one `limit()` of a rate-limiting binding configured as Latchkey's (the guard's per-key count)
 *   GET /bench/token-endpoint?n&profile             n sequential token requests, timed one by one
 *   GET /bench/redirects?target&n&concurrency[&token][&profile]   start-route load (see `redirects`)
 *   POST /bench/connect-url {tenant, profile, returnUrl}   LatchkeyService.createConnectUrl
 * Every other path goes to the Latchkey Worker, so the connect flow runs on this port.
 */
import { LatchkeyClient, type LatchkeyRpc } from '@latchkey/client'
import type { LatchkeyService } from '../../../src/api/latchkey-service.ts'
import type { ConnectionObject } from '../../../src/connection/connection-object.ts'
import { checkApiKey, parseApiKeys } from '../../../src/http-api/api-keys.ts'
import { newConnectionId } from '../../../src/connection-id.ts'
import type { FloorObject, FloorService } from '../floor/index.ts'

/** Bindings (generated config: bench/lib/worker-configs.ts). */
interface HarnessEnv {
  /** The floor Worker's FloorObject namespace (script_name = the floor Worker). */
  FLOOR: DurableObjectNamespace<FloorObject>
  FLOOR_SERVICE: Service<FloorService>
  LATCHKEY: Service<LatchkeyService>
  LATCHKEY_HTTP: Fetcher
  /** Latchkey's own ConnectionObject namespace (script_name = "latchkey"). */
  CONNECTIONS: DurableObjectNamespace<ConnectionObject>
  BASELINE: Fetcher
  UPSTREAM_ORIGIN: string
  /** The bench's HTTP API key (`lk_...`) and the API_KEYS value Latchkey has for it (bench/lib/worker-configs.ts). */
  BENCH_API_KEY: string
  BENCH_API_KEYS: string
  /** A rate-limiting binding like Latchkey's API_RATE_LIMITER, never refusing. */
  RATE_LIMITER: RateLimit
}

/** The fixed header the caller sends when it fetches the upstream itself. */
const FIXED_HEADERS = { Authorization: 'Bearer bench-fixed-token', Accept: 'application/json' }

/** Raw timings of a sequential run. */
interface BatchTimings {
  calls: number
  batch: number
  /** Duration of each batch, ms (1 ms resolution). */
  batchMs: number[]
  elapsedMs: number
}

export default {
  async fetch(request: Request, env: HarnessEnv): Promise<Response> {
    const url = new URL(request.url)
    if (!url.pathname.startsWith('/bench/')) return env.LATCHKEY_HTTP.fetch(request)
    try {
      return await route(url, request, env)
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 })
    }
  },
} satisfies ExportedHandler<HarnessEnv>

async function route(url: URL, request: Request, env: HarnessEnv): Promise<Response> {
  const query = new Query(url.searchParams)
  switch (url.pathname) {
    case '/bench/clock':
      return Response.json(await clock(env))
    case '/bench/floor': {
      const stub = env.FLOOR.get(env.FLOOR.idFromName('floor'))
      return Response.json(await timeBatches(query, () => stub.constant()))
    }
    case '/bench/floor-via-service':
      return Response.json(await timeBatches(query, () => env.FLOOR_SERVICE.constant()))
    case '/bench/connection-object': {
      const stub = env.CONNECTIONS.get(env.CONNECTIONS.idFromName(query.text('connectionId')))
      const tenant = query.text('tenant')
      return Response.json(await timeBatches(query, () => stub.getAccessToken(tenant)))
    }
    case '/bench/get-access-token': {
      const [tenant, connectionId] = [query.text('tenant'), query.text('connectionId')]
      return Response.json(await timeBatches(query, () => env.LATCHKEY.getAccessToken(tenant, connectionId)))
    }
    case '/bench/proxy': {
      const [tenant, connectionId] = [query.text('tenant'), query.text('connectionId')]
      return Response.json(await timeBatches(query, async () => readOk(await env.LATCHKEY.proxy(tenant, connectionId, { path: '/me' }))))
    }
    case '/bench/direct-fetch': {
      const target = `${env.UPSTREAM_ORIGIN}/p/${query.text('profile')}/api/me`
      return Response.json(await timeBatches(query, async () => readOk(await fetch(target, { headers: FIXED_HEADERS }))))
    }
    case '/bench/fetch-via-service': {
      const target = `${env.UPSTREAM_ORIGIN}/p/${query.text('profile')}/api/me`
      return Response.json(await timeBatches(query, async () => readOk(await env.FLOOR_SERVICE.fetchUpstream(target, FIXED_HEADERS))))
    }
    case '/bench/storm': {
      const [tenant, connectionId] = [query.text('tenant'), query.text('connectionId')]
      return Response.json(await timeConcurrent(query.count('n'), () => env.LATCHKEY.getAccessToken(tenant, connectionId)))
    }
    case '/bench/storm-floor':
      return Response.json(await timeConcurrent(query.count('n'), () => env.FLOOR_SERVICE.constant()))
    case '/bench/client-hit': {
      const [tenant, connectionId, client] = [query.text('tenant'), query.text('connectionId'), isolateClient(env)]
      return Response.json(await timeBatches(query, () => client.getAccessToken(tenant, connectionId)))
    }
    case '/bench/client-miss': {
      // Its own client, emptied for the connection before each call: every call is a miss, stored.
      const [tenant, connectionId] = [query.text('tenant'), query.text('connectionId')]
      missClient ??= new LatchkeyClient(countingBinding(env))
      const misses = missClient
      return Response.json(
        await timeBatches(query, () => {
          misses.evict(tenant, connectionId)
          return misses.getAccessToken(tenant, connectionId)
        }),
      )
    }
    case '/bench/client-fetch': {
      const [tenant, connectionId, client] = [query.text('tenant'), query.text('connectionId'), isolateClient(env)]
      return Response.json(await timeBatches(query, async () => readOk(await client.fetchApi(tenant, connectionId, { path: '/me' }))))
    }
    case '/bench/client-storm': {
      const [tenant, connectionId, client] = [query.text('tenant'), query.text('connectionId'), new LatchkeyClient(countingBinding(env))]
      return Response.json(await timeConcurrent(query.count('n'), () => client.getAccessToken(tenant, connectionId)))
    }
    case '/bench/client-rpcs': {
      const counted = { ...clientRpcs }
      for (const method of Object.keys(clientRpcs)) delete clientRpcs[method]
      return Response.json(counted)
    }
    case '/bench/http-access-token': {
      const [tenant, connectionId, send] = [query.text('tenant'), query.text('connectionId'), httpSender(env, url.searchParams.get('origin'))]
      const refused = url.searchParams.get('refused') === '1'
      // The same length and id, the secret's last character changed: only the comparison fails.
      const key = refused ? `${env.BENCH_API_KEY.slice(0, -1)}${env.BENCH_API_KEY.endsWith('x') ? 'y' : 'x'}` : env.BENCH_API_KEY
      const headers = { Authorization: `Bearer ${key}`, 'Latchkey-Tenant': tenant }
      return Response.json(
        await timeBatches(query, async () => {
          const response = await send(`/v1/connections/${encodeURIComponent(connectionId)}/access-token`, headers)
          const body = await response.json<{ accessToken?: unknown; code?: unknown }>()
          const expected = refused ? response.status === 401 && body.code === 'invalid_api_key' : response.status === 200 && typeof body.accessToken === 'string'
          if (!expected) throw new Error(`the access-token route answered ${response.status}`)
        }),
      )
    }
    case '/bench/http-health': {
      const send = httpSender(env, url.searchParams.get('origin'))
      return Response.json(await timeBatches(query, async () => readOk(await send('/health', {}))))
    }
    case '/bench/api-key-check': {
      const configuration = parseApiKeys(env.BENCH_API_KEYS)
      if (configuration.state !== 'on') throw new Error('BENCH_API_KEYS is not a valid API_KEYS value')
      const authorization = `Bearer ${env.BENCH_API_KEY}`
      return Response.json(
        await timeBatches(query, async () => {
          if (!(await checkApiKey(configuration.keys, authorization)).ok) throw new Error('the bench key does not verify')
        }),
      )
    }
    case '/bench/log-line':
      return Response.json(
        await timeBatches(query, async () => {
          console.log(
            JSON.stringify({ event: 'bench.log_line', keyId: 'benchhttp01', tenant: 'tenant-http', connectionId: null, operation: 'getAccessToken', status: 200, outcome: 'ok' }),
          )
        }),
      )
    case '/bench/rate-limit':
      return Response.json(
        await timeBatches(query, async () => {
          if (!(await env.RATE_LIMITER.limit({ key: 'benchhttp01' })).success) throw new Error('the bench rate limiter refused')
        }),
      )
    case '/bench/token-endpoint':
      return Response.json(await tokenEndpoint(env, query))
    case '/bench/redirects':
      return Response.json(await redirects(env, query))
    case '/bench/seed-listing': {
      const [tenant, total] = [query.text('tenant'), query.count('n')]
      for (let next = 0; next < total; next += 50) {
        await Promise.all(Array.from({ length: Math.min(50, total - next) }, () => storeListedConnection(env, tenant)))
      }
      const page = await env.LATCHKEY.listConnections(tenant, { limit: 1000 })
      return Response.json({ stored: page.connections.length, nextCursor: page.nextCursor })
    }
    case '/bench/list-connections': {
      const tenant = query.text('tenant')
      return Response.json(
        await timeBatches(query, async () => {
          const page = await env.LATCHKEY.listConnections(tenant, { limit: 100 })
          if (page.connections.length !== 100 || page.nextCursor === null) throw new Error('the first page is not 100 connections with more to come')
        }),
      )
    }
    case '/bench/floor-entries': {
      const stub = env.FLOOR.get(env.FLOOR.idFromName('floor'))
      return Response.json(await timeBatches(query, () => stub.entries()))
    }
    case '/bench/floor-entries-via-service':
      return Response.json(await timeBatches(query, () => env.FLOOR_SERVICE.entries()))
    case '/bench/connect-url': {
      const { tenant, profile, returnUrl } = await request.json<{ tenant: string; profile: string; returnUrl: string }>()
      return Response.json(await env.LATCHKEY.createConnectUrl({ tenant, connectorKey: 'bench-oauth', connectionInput: { profile }, returnUrl }))
    }
    default:
      return Response.json({ error: 'unknown bench endpoint' }, { status: 404 })
  }
}

/** One connection of the listing tenant, stored as the flow stores it: no expiry, so no alarm and no provider traffic. */
async function storeListedConnection(env: HarnessEnv, tenant: string): Promise<void> {
  const connectionId = newConnectionId()
  await env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId)).storeAuthorizedConnection({
    connectionId,
    connectorKey: 'bench-oauth',
    tenant,
    connectionInput: { profile: 'list' },
    credentials: { access_token: 'at_list', refresh_token: 'rt_list', token_type: 'Bearer' },
  })
}

/**
 * How row 10 sends an HTTP request to Latchkey: through the LATCHKEY_HTTP binding's fetch, or
 * over loopback HTTP to `origin` (only http://127.0.0.1:<port>: the bench never leaves the machine).
 */
function httpSender(env: HarnessEnv, origin: string | null): (path: string, headers: Record<string, string>) => Promise<Response> {
  if (origin === null) return (path, headers) => env.LATCHKEY_HTTP.fetch(new Request(`http://latchkey.bench${path}`, { headers }))
  if (!/^http:\/\/127\.0\.0\.1:[0-9]{1,5}$/.test(origin)) throw new Error('origin must be http://127.0.0.1:<port>')
  return (path, headers) => fetch(`${origin}${path}`, { headers })
}

/** RPCs the harness's clients made, per method (reset by /bench/client-rpcs). */
const clientRpcs: Record<string, number> = {}

/** The LATCHKEY binding as the clients see it: every RPC counted in `clientRpcs`, then made as it is. */
function countingBinding(env: HarnessEnv): LatchkeyRpc {
  const service = env.LATCHKEY as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  return new Proxy({} as LatchkeyRpc, {
    get: (_target, method) => {
      if (typeof method !== 'string' || method === 'then') return undefined
      return (...args: unknown[]) => {
        clientRpcs[method] = (clientRpcs[method] ?? 0) + 1
        return (service[method] as (...args: unknown[]) => Promise<unknown>)(...args)
      }
    },
  })
}

/** The harness isolate's one client (default options), as a caller Worker keeps it: its caches live as long as the isolate. */
let client: LatchkeyClient | undefined
/** A second client for /bench/client-miss, so its evictions leave `client`'s cache alone. */
let missClient: LatchkeyClient | undefined

function isolateClient(env: HarnessEnv): LatchkeyClient {
  client ??= new LatchkeyClient(countingBinding(env))
  return client
}

/** Runs `n` calls one after the other in batches of `batch`, timing each batch. */
async function timeBatches(query: Query, call: () => Promise<unknown>): Promise<BatchTimings> {
  const calls = query.count('n')
  const batch = query.count('batch')
  const batchMs: number[] = []
  const started = Date.now()
  for (let done = 0; done + batch <= calls; done += batch) {
    const batchStarted = Date.now()
    for (let index = 0; index < batch; index++) await call()
    batchMs.push(Date.now() - batchStarted)
  }
  return { calls: batchMs.length * batch, batch, batchMs, elapsedMs: Date.now() - started }
}

/**
 * Why batches: a CPU-only loop shows whether the clock moves without I/O, and single floor
 * calls timed one by one show the resolution (most read 0 ms).
 */
async function clock(env: HarnessEnv): Promise<{ cpuLoopMs: number; singleCallZeroShare: number; distinctSingleCallMs: number[] }> {
  const cpuStarted = performance.now()
  let sum = 0
  for (let index = 0; index < 20_000_000; index++) sum += index % 7
  // Using `sum` keeps the loop from being optimized away.
  const cpuLoopMs = performance.now() - cpuStarted + (sum < 0 ? 1 : 0)
  const stub = env.FLOOR.get(env.FLOOR.idFromName('floor'))
  const samples: number[] = []
  for (let index = 0; index < 2000; index++) {
    const started = performance.now()
    await stub.constant()
    samples.push(performance.now() - started)
  }
  return {
    cpuLoopMs,
    singleCallZeroShare: samples.filter((value) => value === 0).length / samples.length,
    distinctSingleCallMs: [...new Set(samples)].sort((a, b) => a - b),
  }
}

/** Raw timings of a concurrent run: each call timed (they take milliseconds). */
interface ConcurrentTimings {
  latencyMs: number[]
  errorCount: number
  /** The first few errors. */
  errors: string[]
  /** Distinct values the calls returned (a storm must hand out one refreshed token). */
  distinctResults: number
}

/** Starts `n` calls at once and times each one. */
async function timeConcurrent(n: number, call: () => Promise<unknown>): Promise<ConcurrentTimings> {
  const results = await Promise.allSettled(
    Array.from({ length: n }, async () => {
      const callStarted = Date.now()
      const value = await call()
      return { value: JSON.stringify(value), ms: Date.now() - callStarted }
    }),
  )
  const latencyMs: number[] = []
  const values = new Set<string>()
  const errors: string[] = []
  for (const result of results) {
    if (result.status === 'fulfilled') {
      latencyMs.push(result.value.ms)
      values.add(result.value.value)
    } else errors.push(String(result.reason))
  }
  return { latencyMs, errorCount: errors.length, errors: errors.slice(0, 3), distinctResults: values.size }
}

/** The token endpoint as a Worker sees it: `n` refresh-token requests, timed one by one. */
async function tokenEndpoint(env: HarnessEnv, query: Query): Promise<{ latencyMs: number[] }> {
  const target = `${env.UPSTREAM_ORIGIN}/p/${query.text('profile')}/token`
  const latencyMs: number[] = []
  for (let index = 0, n = query.count('n'); index < n; index++) {
    const started = Date.now()
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'grant_type=refresh_token&refresh_token=rt_bench_probe',
    })
    await readOk(response)
    latencyMs.push(Date.now() - started)
  }
  return { latencyMs }
}

/**
 * Start-route load: `n` requests, `concurrency` at a time, each expected to answer 302.
 * target=latchkey-one-time: URLs from createConnectUrl (minted first, untimed; one-time, so
 * each start also claims its token in an AuthorizationStateGuard object).
 * target=latchkey-reusable: one application-minted connect token without `jti` (`token`).
 * target=baseline: the minimal Hono Worker that writes one KV value and redirects.
 */
async function redirects(env: HarnessEnv, query: Query): Promise<{ latencyMs: number[]; elapsedMs: number; statuses: Record<string, number> }> {
  const n = query.count('n')
  const target = query.text('target')
  let urls: string[]
  let fetcher: Fetcher
  if (target === 'baseline') {
    urls = Array.from({ length: n }, () => 'http://baseline.bench/start')
    fetcher = env.BASELINE
  } else if (target === 'latchkey-reusable') {
    urls = Array.from({ length: n }, () => `http://latchkey.bench/connect/bench-oauth?token=${query.text('token')}`)
    fetcher = env.LATCHKEY_HTTP
  } else if (target === 'latchkey-one-time') {
    const input = { tenant: 'bench-redirects', connectorKey: 'bench-oauth', connectionInput: { profile: query.text('profile') } }
    urls = []
    for (let index = 0; index < n; index++) urls.push((await env.LATCHKEY.createConnectUrl(input)).url)
    fetcher = env.LATCHKEY_HTTP
  } else throw new Error(`unknown target ${target}`)

  const latencyMs: number[] = []
  const statuses: Record<string, number> = {}
  let next = 0
  const started = Date.now()
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++] as string
      const requestStarted = Date.now()
      const response = await fetcher.fetch(url, { redirect: 'manual' })
      await response.body?.cancel()
      latencyMs.push(Date.now() - requestStarted)
      const key = response.status === 302 && response.headers.has('Location') ? '302' : String(response.status)
      statuses[key] = (statuses[key] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: query.count('concurrency') }, worker))
  return { latencyMs, elapsedMs: Date.now() - started, statuses }
}

async function readOk(response: Response): Promise<void> {
  const body = await response.text()
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`)
}

/** Required query parameters. */
class Query {
  readonly #params: URLSearchParams

  constructor(params: URLSearchParams) {
    this.#params = params
  }

  text(name: string): string {
    const value = this.#params.get(name)
    if (value === null || value === '') throw new Error(`query parameter ${name} is required`)
    return value
  }

  count(name: string): number {
    const value = Number(this.text(name))
    if (!Number.isInteger(value) || value < 1 || value > 1_000_000_000) throw new Error(`query parameter ${name} must be a positive integer`)
    return value
  }
}
