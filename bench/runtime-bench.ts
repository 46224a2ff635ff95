/**
 * Rows 1-4 and 6-9 of `npm run bench`: the hot path, the proxy, the authorize redirect, the
 * refresh storm, the same through the client package (packages/client: its token cache,
 * its direct proxy, a storm on its cache), and the first page of a 1,000-connection listing,
 * each measured inside workerd by the harness Worker
 * next to its baseline. Paths and baselines alternate in rounds, so drift (JIT, GC, the
 * machine) hits both alike.
 */
import { SignJWT } from 'jose'
import type { FakeProvider, ProviderProfile } from './upstream/fake-provider.ts'
import { connectThroughFlow } from './lib/connect-flow.ts'
import { summarizeBatches, summarizeSamples, type BatchTimings, type LatencySummary } from './lib/stats.ts'
import { BENCH_SECRETS } from './lib/worker-configs.ts'

/** How long the storm's token endpoint takes (a real one takes tens of milliseconds): BENCH_TOKEN_DELAY_MS, default 50. */
export const TOKEN_DELAY_MS = Number(process.env['BENCH_TOKEN_DELAY_MS'] ?? 50)

/** Provider profiles (token lifetime, token endpoint delay) of the phases. */
export const PROFILES: Record<string, ProviderProfile> = {
  hot: { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: 0 },
  proxy: { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: 0 },
  redirect: { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: 0 },
  // The storm's token expires 2 s after the connect flow; its refresh takes TOKEN_DELAY_MS.
  storm: { codeExpiresIn: 2, refreshExpiresIn: 3600, tokenDelayMs: TOKEN_DELAY_MS },
  'storm-probe': { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: TOKEN_DELAY_MS },
  // The client's direct proxy: its own connection, so its API requests are counted apart.
  client: { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: 0 },
  // Row 10 (bench/http-api-bench.ts): its own connection, so its upstream requests are counted apart.
  http: { codeExpiresIn: 3600, refreshExpiresIn: 3600, tokenDelayMs: 0 },
}

/**
 * Bounded load. Sequential paths run a fixed number of batches of about `batchTargetMs` each
 * (so every path gets the same number of samples, and the 1 ms clock costs at most ~5 %):
 * about 5 s per path whatever its speed; the hot path makes well over 10,000 calls.
 */
const LOAD = {
  batchesPerPath: 250,
  rounds: 5,
  batchTargetMs: 20,
  /** Calls to warm a path up, then as many again to size its batches. */
  warmupCalls: 1_000,
  redirectRequests: 600,
  redirectWarmup: 50,
  redirectConcurrency: 8,
  stormCalls: 1_000,
  /** Connections of the listing tenant (row 9). */
  listedConnections: 1_000,
  storms: 3,
  /** Calibration grows tenfold until one run takes this long (fast paths, like a cache hit, need far more calls per batch). */
  calibrationMinMs: 50,
  /** Most calls in one batch. */
  maxBatch: 2_000_000,
}

/** Results of rows 1-4. */
export interface RuntimeResults {
  clock: { cpuLoopMs: number; singleCallZeroShare: number; distinctSingleCallMs: number[] }
  /** In-workerd elapsed vs Node wall time of one sequential run: the batch clock agrees with an outside one. */
  clockCheck: { workerdMs: number; nodeMs: number }
  hot: Record<'floor' | 'floorViaService' | 'connectionObject' | 'getAccessToken' | 'clientHit' | 'clientMiss', LatencySummary>
  hotUpstreamRequests: number
  /** RPCs to Latchkey the client made during the cache-hit and cache-miss runs (warm-up and calibration included), and the calls. */
  clientTokenRpcs: { hit: { rpcs: number; calls: number }; miss: { rpcs: number; calls: number } }
  proxy: Record<'directFetch' | 'fetchViaService' | 'proxy' | 'clientFetch', LatencySummary>
  /** Upstream API requests the proxied calls caused, and the calls (warm-up and calibration included): one each, no refresh, no retry. */
  proxyUpstream: { requests: number; calls: number }
  /** The client's direct proxy: upstream API requests and RPCs to Latchkey per method (warm-up and calibration included), and the calls. */
  clientFetchUpstream: { requests: number; rpcs: Record<string, number>; calls: number }
  redirects: Record<'baseline' | 'oneTime' | 'reusable', RedirectSummary>
  storms: StormSummary[]
  /** As many concurrent calls to the structural floor (FloorService), after each storm: queueing without Latchkey. */
  stormFloors: LatencySummary[]
  /** Storms of concurrent client getAccessToken calls, each on a new client (empty cache) and an expired token. */
  clientStorms: StormSummary[]
  /** The token endpoint as the harness Worker sees it (direct fetch, same delay). */
  tokenEndpointFromWorker: LatencySummary
  /** The first page (100) of a tenant with `listedConnections` connections, and its floors. */
  listing: Record<'floorEntries' | 'floorEntriesViaService' | 'listConnections', LatencySummary>
  listedConnections: number
}

/** Throughput and latency of one start-route target. */
export interface RedirectSummary {
  requestsPerSecond: number
  latency: LatencySummary
  requests: number
}

/** One refresh storm. */
export interface StormSummary {
  tokenRequests: number
  latency: LatencySummary
  /** Server-side duration of the storm's token request(s), ms. */
  tokenServerMs: number[]
  distinctTokens: number
  errorCount: number
  /** The first few errors. */
  errors: string[]
}

/** No single harness request (one run of one path) may take longer. */
const HARNESS_TIMEOUT_MS = 120_000

/** Raw timings of a concurrent run, as the harness returns them. */
interface ConcurrentTimings {
  latencyMs: number[]
  errorCount: number
  errors: string[]
  distinctResults: number
}

/** Where the harness is, and the upstream it calls. */
export interface Context {
  harness: string
  provider: FakeProvider
}

/** Runs rows 1-4 against the harness at `harnessOrigin`. */
export async function runRuntimeBench(harnessOrigin: string, provider: FakeProvider, progress: (line: string) => void): Promise<RuntimeResults> {
  const context: Context = { harness: harnessOrigin, provider }
  const clock = await harnessGet<RuntimeResults['clock']>(context, '/bench/clock')

  progress('seeding connections through the connect flow')
  const hotConnection = await connectThroughFlow(harnessOrigin, 'tenant-hot', 'hot')
  const proxyConnection = await connectThroughFlow(harnessOrigin, 'tenant-proxy', 'proxy')
  const clientConnection = await connectThroughFlow(harnessOrigin, 'tenant-client', 'client')
  const connection = (tenant: string, connectionId: string): string => `tenant=${tenant}&connectionId=${connectionId}`

  progress(`hot path: ${LOAD.batchesPerPath} batches of ~${LOAD.batchTargetMs} ms per path`)
  provider.reset()
  // Each client path right after its baseline, so the two take turns closest in time.
  const hotPaths = {
    floor: '/bench/floor?',
    clientHit: `/bench/client-hit?${connection('tenant-hot', hotConnection)}&`,
    floorViaService: '/bench/floor-via-service?',
    clientMiss: `/bench/client-miss?${connection('tenant-hot', hotConnection)}&`,
    connectionObject: `/bench/connection-object?${connection('tenant-hot', hotConnection)}&`,
    getAccessToken: `/bench/get-access-token?${connection('tenant-hot', hotConnection)}&`,
  }
  await harnessGet(context, '/bench/client-rpcs')
  const hotRuns = await alternate(context, hotPaths, async (name) => {
    const rpcs = (await harnessGet<Record<string, number>>(context, '/bench/client-rpcs'))['getAccessToken'] ?? 0
    return name === 'clientHit' || name === 'clientMiss' ? rpcs : 0
  })
  const hotUpstreamRequests = countFor(provider, 'hot')
  const clientTokenRpcs = {
    hit: { rpcs: hotRuns.clientHit.rpcs, calls: hotRuns.clientHit.allCalls },
    miss: { rpcs: hotRuns.clientMiss.rpcs, calls: hotRuns.clientMiss.allCalls },
  }
  const clockCheck = await checkClock(context, hotPaths.floor, hotRuns.floor.batch)

  progress(`proxy: ${LOAD.batchesPerPath} batches of ~${LOAD.batchTargetMs} ms per path`)
  provider.reset()
  await harnessGet(context, '/bench/client-rpcs')
  const clientFetchRpcs: Record<string, number> = {}
  const proxyRuns = await alternate(
    context,
    {
      directFetch: '/bench/direct-fetch?profile=proxy&',
      // Right after its baseline, so the two take turns closest in time.
      clientFetch: `/bench/client-fetch?${connection('tenant-client', clientConnection)}&`,
      fetchViaService: '/bench/fetch-via-service?profile=proxy&',
      proxy: `/bench/proxy?${connection('tenant-proxy', proxyConnection)}&`,
    },
    async (name) => {
      const rpcs = await harnessGet<Record<string, number>>(context, '/bench/client-rpcs')
      if (name === 'clientFetch') for (const [method, count] of Object.entries(rpcs)) clientFetchRpcs[method] = (clientFetchRpcs[method] ?? 0) + count
      return 0
    },
  )
  const proxyUpstream = { requests: provider.stats().counts['proxy /api'] ?? 0, calls: proxyRuns.proxy.allCalls }
  const clientFetchUpstream = { requests: provider.stats().counts['client /api'] ?? 0, rpcs: clientFetchRpcs, calls: proxyRuns.clientFetch.allCalls }

  progress(`listing: seeding ${LOAD.listedConnections} connections, then the first page`)
  const seeded = await harnessPost<{ stored: number; nextCursor: string | null }>(context, `/bench/seed-listing?tenant=tenant-list&n=${LOAD.listedConnections}`)
  if (seeded.stored !== LOAD.listedConnections || seeded.nextCursor !== null) throw new Error(`listing seed stored ${seeded.stored} connections`)
  const listingRuns = await alternate(context, {
    floorEntries: '/bench/floor-entries?',
    listConnections: '/bench/list-connections?tenant=tenant-list&',
    floorEntriesViaService: '/bench/floor-entries-via-service?',
  })

  progress(`authorize redirect: ${LOAD.redirectRequests} requests per target, ${LOAD.redirectConcurrency} at a time`)
  const redirects = await redirectLoad(context)

  progress(`refresh storm: ${LOAD.storms} x ${LOAD.stormCalls} concurrent calls`)
  const { storms, stormFloors, clientStorms } = await refreshStorms(context)
  const probe = await harnessGet<{ latencyMs: number[] }>(context, '/bench/token-endpoint?profile=storm-probe&n=10')

  return {
    clock,
    clockCheck,
    hot: mapValues(hotRuns, (run) => summarizeBatches(run.runs)),
    hotUpstreamRequests,
    clientTokenRpcs,
    proxy: mapValues(proxyRuns, (run) => summarizeBatches(run.runs)),
    proxyUpstream,
    clientFetchUpstream,
    redirects,
    storms,
    stormFloors,
    clientStorms,
    tokenEndpointFromWorker: summarizeSamples(probe.latencyMs),
    listing: mapValues(listingRuns, (run) => summarizeBatches(run.runs)),
    listedConnections: seeded.stored,
  }
}

/** What `alternate` measured for one path. */
export interface PathRuns {
  batch: number
  /** Timed calls. */
  calls: number
  /** Every call made, warm-up and calibration included. */
  allCalls: number
  /** What `afterRun` counted for the path over all its runs (e.g. the client's RPCs). */
  rpcs: number
  runs: BatchTimings[]
}

/**
 * Warms every path up and sizes its batches from a calibration run (grown tenfold until it
 * takes LOAD.calibrationMinMs: a cache hit needs far more calls than an RPC), then runs
 * `LOAD.batchesPerPath` batches per path in `LOAD.rounds` rounds, the paths taking turns.
 * `afterRun`, called after every run of a path (warm-up and calibration included), returns
 * what to add to the path's `rpcs`. Slow paths (row 10's HTTP calls) may ask for fewer batches.
 */
export async function alternate<K extends string>(
  context: Context,
  paths: Record<K, string>,
  afterRun: (name: K) => Promise<number> = async () => 0,
  batchesPerPath: number = LOAD.batchesPerPath,
): Promise<Record<K, PathRuns>> {
  const result = {} as Record<K, PathRuns>
  const run = async (name: K, calls: number, batch: number): Promise<BatchTimings> => {
    const timings = await harnessGet<BatchTimings>(context, `${paths[name]}n=${calls}&batch=${batch}`)
    result[name] ??= { batch: 0, calls: 0, allCalls: 0, rpcs: 0, runs: [] }
    const path = result[name]
    path.allCalls += timings.calls
    path.rpcs += await afterRun(name)
    return timings
  }
  for (const name of Object.keys(paths) as K[]) {
    await run(name, LOAD.warmupCalls, LOAD.warmupCalls)
    let calibration = await run(name, LOAD.warmupCalls, LOAD.warmupCalls)
    while (calibration.elapsedMs < LOAD.calibrationMinMs && calibration.calls * 10 <= LOAD.maxBatch) {
      calibration = await run(name, calibration.calls * 10, calibration.calls * 10)
    }
    const perCallMs = Math.max(calibration.elapsedMs, 1) / calibration.calls
    result[name].batch = Math.min(LOAD.maxBatch, Math.max(1, Math.round(LOAD.batchTargetMs / perCallMs)))
  }
  const batchesPerRound = Math.ceil(batchesPerPath / LOAD.rounds)
  for (let round = 0; round < LOAD.rounds; round++) {
    for (const name of Object.keys(paths) as K[]) {
      const path = result[name]
      const timings = await run(name, path.batch * batchesPerRound, path.batch)
      path.runs.push(timings)
      path.calls += timings.calls
    }
  }
  return result
}

/** One more floor run, timed from outside too: the in-workerd clock must agree with Node's. */
async function checkClock(context: Context, floorPath: string, batch: number): Promise<RuntimeResults['clockCheck']> {
  const started = performance.now()
  const run = await harnessGet<BatchTimings>(context, `${floorPath}n=10000&batch=${batch}`)
  return { workerdMs: run.elapsedMs, nodeMs: performance.now() - started }
}

async function redirectLoad(context: Context): Promise<RuntimeResults['redirects']> {
  const reusableToken = await new SignJWT({ connector: 'bench-oauth', input: { profile: 'redirect' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench-redirects')
    .setExpirationTime('30m')
    .sign(new TextEncoder().encode(BENCH_SECRETS.CONNECT_TOKEN_SECRET))
  const targets = {
    baseline: 'target=baseline',
    oneTime: 'target=latchkey-one-time&profile=redirect',
    reusable: `target=latchkey-reusable&token=${reusableToken}`,
  }
  type Run = { latencyMs: number[]; elapsedMs: number; statuses: Record<string, number> }
  const runs = mapValues(targets, (): Run[] => [])
  const perRound = Math.ceil(LOAD.redirectRequests / 2)
  for (const name of Object.keys(targets) as Array<keyof typeof targets>) {
    await harnessGet<Run>(context, `/bench/redirects?${targets[name]}&n=${LOAD.redirectWarmup}&concurrency=${LOAD.redirectConcurrency}`)
  }
  for (let round = 0; round < 2; round++) {
    for (const name of Object.keys(targets) as Array<keyof typeof targets>) {
      const run = await harnessGet<Run>(context, `/bench/redirects?${targets[name]}&n=${perRound}&concurrency=${LOAD.redirectConcurrency}`)
      const unexpected = Object.entries(run.statuses).filter(([status]) => status !== '302')
      if (unexpected.length > 0) throw new Error(`start route ${name} answered ${JSON.stringify(run.statuses)} (expected only 302 with a Location)`)
      runs[name].push(run)
    }
  }
  return mapValues(runs, (list) => {
    const latencyMs = list.flatMap((run) => run.latencyMs)
    const elapsedMs = list.reduce((sum, run) => sum + run.elapsedMs, 0)
    return { requestsPerSecond: (latencyMs.length * 1000) / elapsedMs, latency: summarizeSamples(latencyMs), requests: latencyMs.length }
  })
}

/**
 * Seeds the storm connections (token valid for 2 s), waits until every token has expired,
 * then fires each storm, counts the token requests it caused, and follows it with as many
 * concurrent calls to the structural floor; then the client storms, each on its own expired
 * connection and a new client (empty cache).
 */
async function refreshStorms(context: Context): Promise<{ storms: StormSummary[]; stormFloors: LatencySummary[]; clientStorms: StormSummary[] }> {
  const connections: string[] = []
  const clientConnections: string[] = []
  for (let index = 0; index < LOAD.storms; index++) connections.push(await seedStormConnection(context, `tenant-storm-${index}`))
  for (let index = 0; index < LOAD.storms; index++) clientConnections.push(await seedStormConnection(context, `tenant-client-storm-${index}`))
  const expiresAfterMs = (PROFILES['storm']?.codeExpiresIn ?? 2) * 1000
  await new Promise((resolve) => setTimeout(resolve, expiresAfterMs + 200))
  const storm = async (endpoint: string, tenant: string, connectionId: string): Promise<StormSummary> => {
    context.provider.reset()
    const run = await harnessGet<ConcurrentTimings>(context, `${endpoint}?n=${LOAD.stormCalls}&tenant=${tenant}&connectionId=${connectionId}`)
    const stats = context.provider.stats()
    return {
      tokenRequests: stats.counts['storm /token'] ?? 0,
      latency: summarizeSamples(run.latencyMs),
      tokenServerMs: stats.tokenResponseMs['storm'] ?? [],
      distinctTokens: run.distinctResults,
      errorCount: run.errorCount,
      errors: run.errors,
    }
  }
  const storms: StormSummary[] = []
  const stormFloors: LatencySummary[] = []
  for (const [index, connectionId] of connections.entries()) {
    storms.push(await storm('/bench/storm', `tenant-storm-${index}`, connectionId))
    const floor = await harnessGet<ConcurrentTimings>(context, `/bench/storm-floor?n=${LOAD.stormCalls}`)
    stormFloors.push(summarizeSamples(floor.latencyMs))
  }
  const clientStorms: StormSummary[] = []
  for (const [index, connectionId] of clientConnections.entries()) clientStorms.push(await storm('/bench/client-storm', `tenant-client-storm-${index}`, connectionId))
  return { storms, stormFloors, clientStorms }
}

/**
 * A storm connection still on its first token. On a loaded machine the connection test at
 * the end of the flow can come after the refresh is due (half the lifetime) and refresh
 * already; such a connection has no expired token to storm on, so it is made again.
 */
async function seedStormConnection(context: Context, tenant: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    context.provider.reset()
    const connectionId = await connectThroughFlow(context.harness, tenant, 'storm')
    const tokenRequests = context.provider.stats().counts['storm /token'] ?? 0
    if (tokenRequests === 1) return connectionId
    if (attempt === 3) throw new Error(`storm connections keep refreshing during the connect flow (${tokenRequests} token requests): the machine is too busy`)
  }
}

function countFor(provider: FakeProvider, profile: string): number {
  return Object.entries(provider.stats().counts)
    .filter(([key]) => key.startsWith(`${profile} `))
    .reduce((sum, [, count]) => sum + count, 0)
}

async function harnessPost<T>(context: Context, path: string): Promise<T> {
  const response = await fetch(`${context.harness}${path}`, { method: 'POST', signal: AbortSignal.timeout(HARNESS_TIMEOUT_MS) })
  const body = (await response.json()) as T & { error?: string }
  if (!response.ok) throw new Error(`harness ${path.split('?')[0]} failed: ${body.error ?? response.status}`)
  return body
}

async function harnessGet<T>(context: Context, path: string): Promise<T> {
  const response = await fetch(`${context.harness}${path}`, { signal: AbortSignal.timeout(HARNESS_TIMEOUT_MS) })
  const body = (await response.json()) as T & { error?: string }
  if (!response.ok) throw new Error(`harness ${path.split('?')[0]} failed: ${body.error ?? response.status}`)
  return body
}

function mapValues<K extends string, V, W>(record: Record<K, V>, map: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as V)])) as Record<K, W>
}
