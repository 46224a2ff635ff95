/**
 * The markdown report of `npm run bench`: one table of ratios for rows 1-4 and 6-8 (the
 * client package), one of growth for row 5, and the notes needed to read them (how timing
 * works, what each baseline is).
 */
import type { BuildResult } from '../build-bench.ts'
import { TOKEN_DELAY_MS, type RuntimeResults } from '../runtime-bench.ts'
import { percentile, type LatencySummary } from './stats.ts'
import { formatMicros, formatRatio, markdownTable } from './markdown-table.ts'

type Target = { kind: 'max' | 'min'; ratio: number } | { kind: 'equals'; value: number } | null

/** The report for rows 1-4 and 6-8. */
export function runtimeReport(results: RuntimeResults): string {
  const { hot, proxy, redirects, storms } = results
  const rows: string[][] = []
  const ratioRow = (id: string, what: string, measured: number, baseline: number, format: (value: number) => string, target: Target): void => {
    const ratio = measured / baseline
    rows.push([id, what, format(measured), format(baseline), formatRatio(ratio), describeTarget(target, ratio)])
  }
  const latencyRows = (id: string, what: string, measured: LatencySummary, baseline: LatencySummary, target: Target): void => {
    ratioRow(id, `${what}, p50`, measured.p50, baseline.p50, formatMicros, target)
    ratioRow(id, `${what}, p99`, measured.p99, baseline.p99, formatMicros, target)
  }
  const onTarget = { kind: 'max', ratio: 1.3 } as const

  latencyRows(
    '1',
    `Hot path: \`getAccessToken\` over the service binding (${hot.getAccessToken.calls} calls) vs bare DO RPC returning a constant`,
    hot.getAccessToken,
    hot.floor,
    onTarget,
  )
  rows.push([
    '1',
    'Hot path: upstream requests during the hot-path rows',
    String(results.hotUpstreamRequests),
    '0',
    '-',
    describeTarget({ kind: 'equals', value: 0 }, results.hotUpstreamRequests),
  ])
  latencyRows('1.i', 'Structural floor: service binding RPC -> entrypoint -> DO RPC returning a constant, vs bare DO RPC', hot.floorViaService, hot.floor, null)
  latencyRows('1.ii', 'Hot path vs the structural floor (1.i): what Latchkey itself adds', hot.getAccessToken, hot.floorViaService, null)
  latencyRows('1.iii', '`ConnectionObject.getAccessToken` called directly (no service hop) vs bare DO RPC', hot.connectionObject, hot.floor, null)

  latencyRows(
    '2',
    `Proxy: \`proxy(connectionId, {path})\` to the local upstream (${proxy.proxy.calls} calls) vs the caller fetching it directly with a fixed header`,
    proxy.proxy,
    proxy.directFetch,
    onTarget,
  )
  const perProxiedCall = results.proxyUpstream.requests / results.proxyUpstream.calls
  rows.push(['2', 'Proxy: upstream requests per proxied call', perProxiedCall.toFixed(3), '1', '-', describeTarget({ kind: 'equals', value: 1 }, perProxiedCall)])
  latencyRows(
    '2.i',
    'Structural floor: the same fetch made by a DO behind a service-binding entrypoint, Response returned over both RPC hops, vs the direct fetch',
    proxy.fetchViaService,
    proxy.directFetch,
    null,
  )
  latencyRows('2.ii', 'Proxy vs the structural floor (2.i): what Latchkey itself adds', proxy.proxy, proxy.fetchViaService, null)

  const perSecond = (value: number): string => `${value.toFixed(0)} req/s`
  ratioRow(
    '3',
    `Authorize redirect: start route throughput, one-time URLs from createConnectUrl (${redirects.oneTime.requests} requests) vs minimal Hono + 1 KV write + 302`,
    redirects.oneTime.requestsPerSecond,
    redirects.baseline.requestsPerSecond,
    perSecond,
    { kind: 'min', ratio: 0.9 },
  )
  latencyRows('3', 'Authorize redirect: start route latency (one-time URLs) vs the minimal Worker', redirects.oneTime.latency, redirects.baseline.latency, null)
  ratioRow(
    '3.i',
    'Authorize redirect: throughput with a reusable app-minted token (no `jti`, no single-use claim) vs the minimal Worker',
    redirects.reusable.requestsPerSecond,
    redirects.baseline.requestsPerSecond,
    perSecond,
    null,
  )

  const tokenRequests = storms.map((storm) => storm.tokenRequests)
  const offTarget = tokenRequests.find((count) => count !== 1) ?? 1
  rows.push([
    '4',
    `Refresh storm: token requests per ${storms[0]?.latency.calls ?? 0} concurrent \`getAccessToken\` on an expired token (${storms.length} storms)`,
    tokenRequests.join(', '),
    '1',
    '-',
    describeTarget({ kind: 'equals', value: 1 }, offTarget),
  ])
  const stormP99 = percentile(
    storms.map((storm) => storm.latency.p99),
    50,
  )
  const serverTimes = storms.flatMap((storm) => storm.tokenServerMs)
  const serverMs = serverTimes.length > 0 ? percentile(serverTimes, 50) : Number.NaN
  ratioRow('4', "Refresh storm: p99 latency (median of the storms) vs the token server's own response time (server side)", stormP99, serverMs * 1000, formatMicros, null)
  ratioRow('4.i', 'Refresh storm: p99 latency vs the token endpoint fetched directly from a Worker (p50 of 10)', stormP99, results.tokenEndpointFromWorker.p50, formatMicros, null)
  const floorP99 = percentile(
    results.stormFloors.map((floor) => floor.p99),
    50,
  )
  ratioRow(
    '4.ii',
    `Refresh storm: p99 latency vs ${results.stormFloors[0]?.calls ?? 0} concurrent structural-floor calls (p99, median of ${results.stormFloors.length}) + the token server's time: queueing plus one refresh`,
    stormP99,
    floorP99 + serverMs * 1000,
    formatMicros,
    null,
  )

  // Rows 6-8: the client package (packages/client) in the caller's isolate.
  latencyRows('6', `Client \`getAccessToken\`, cache hit (${hot.clientHit.calls} calls) vs bare DO RPC returning a constant`, hot.clientHit, hot.floor, { kind: 'max', ratio: 0.1 })
  const { hit, miss } = results.clientTokenRpcs
  rows.push(['6', 'Client cache hit: RPCs to Latchkey per 1,000 calls (warm-up included; the TTL is 60 s)', ((hit.rpcs * 1000) / hit.calls).toFixed(4), '0', '-', '-'])
  latencyRows(
    '6.i',
    `Client \`getAccessToken\`, cache miss (${hot.clientMiss.calls} calls; the entry evicted before each) vs the structural floor (1.i: service binding RPC -> entrypoint -> DO RPC returning a constant)`,
    hot.clientMiss,
    hot.floorViaService,
    { kind: 'max', ratio: 1.2 },
  )
  rows.push([
    '6.i',
    'Client cache miss: RPCs to Latchkey per call',
    (miss.rpcs / miss.calls).toFixed(3),
    '1',
    '-',
    describeTarget({ kind: 'equals', value: 1 }, miss.rpcs / miss.calls),
  ])
  latencyRows(
    '6.ii',
    'Client cache miss vs `getAccessToken` over the service binding without the client (row 1): what the client adds to a miss',
    hot.clientMiss,
    hot.getAccessToken,
    null,
  )

  latencyRows(
    '7',
    `Client direct proxy: \`fetchApi(tenant, id, {path})\` with the cached configuration (${proxy.clientFetch.calls} calls) vs the caller fetching the same upstream directly with a fixed header`,
    proxy.clientFetch,
    proxy.directFetch,
    { kind: 'max', ratio: 1.15 },
  )
  const direct = results.clientFetchUpstream
  const perDirectCall = direct.requests / direct.calls
  rows.push(['7', 'Client direct proxy: upstream requests per call', perDirectCall.toFixed(3), '1', '-', describeTarget({ kind: 'equals', value: 1 }, perDirectCall)])
  rows.push([
    '7',
    'Client direct proxy: RPCs to Latchkey per 1,000 calls (warm-up included; the configuration is cached for 60 s)',
    Object.entries(direct.rpcs)
      .map(([method, count]) => `${((count * 1000) / direct.calls).toFixed(3)} ${method}`)
      .join(', ') || '0',
    '-',
    '-',
    '-',
  ])
  latencyRows('7.i', 'Client direct proxy vs the server-side `proxy` (row 2)', proxy.clientFetch, proxy.proxy, null)

  const clientStorms = results.clientStorms
  const clientTokenRequests = clientStorms.map((storm) => storm.tokenRequests)
  rows.push([
    '8',
    `Client storm: token requests per ${clientStorms[0]?.latency.calls ?? 0} concurrent client \`getAccessToken\` on an expired token, new client each (${clientStorms.length} storms)`,
    clientTokenRequests.join(', '),
    '1',
    '-',
    describeTarget({ kind: 'equals', value: 1 }, clientTokenRequests.find((count) => count !== 1) ?? 1),
  ])
  const clientStormP99 = percentile(
    clientStorms.map((storm) => storm.latency.p99),
    50,
  )
  const clientServerTimes = clientStorms.flatMap((storm) => storm.tokenServerMs)
  const clientServerMs = clientServerTimes.length > 0 ? percentile(clientServerTimes, 50) : Number.NaN
  ratioRow('8', "Client storm: p99 latency (median of the storms) vs the token server's own response time + 100 ms", clientStormP99, (clientServerMs + 100) * 1000, formatMicros, {
    kind: 'max',
    ratio: 1,
  })
  ratioRow('8.i', 'Client storm: p99 latency vs the storm without the client (row 4)', clientStormP99, stormP99, formatMicros, null)

  const { listing } = results
  latencyRows(
    '9',
    `Listing: \`listConnections(tenant, {limit: 100})\`, first page of a tenant with ${results.listedConnections} connections (${listing.listConnections.calls} calls) vs bare DO RPC returning 100 summary-shaped entries`,
    listing.listConnections,
    listing.floorEntries,
    { kind: 'max', ratio: 1.5 },
  )
  latencyRows(
    '9.i',
    'Listing vs the same 100 entries through a service-binding entrypoint and a DO (the two hops of listConnections)',
    listing.listConnections,
    listing.floorEntriesViaService,
    null,
  )

  return markdownTable(['#', 'Path', 'Measured', 'Baseline', 'Ratio', 'Target'], rows)
}

/** The report for row 5: each build against the 50-connector build. */
export function buildReport(builds: readonly BuildResult[]): string {
  const base = builds.find((build) => build.label === '50')
  if (!base) throw new Error('no 50-connector build to compare with')
  const rows = builds.map((build) => {
    const vs = (value: number, baseValue: number): string => (build.label === 'repository' ? '' : ` (${formatRatio(value / baseValue)})`)
    return [
      '5',
      build.label === 'repository' ? `repository connectors/ (${build.connectors})` : `${build.connectors} synthetic`,
      `${build.compileMs.toFixed(0)} ms${vs(build.compileMs, base.compileMs)}`,
      `${build.bundleGzipKiB.toFixed(1)} KiB${vs(build.bundleGzipKiB, base.bundleGzipKiB)}`,
      `${build.bundleRawKiB.toFixed(1)} KiB${vs(build.bundleRawKiB, base.bundleRawKiB)}`,
      `${build.startupCpuMs.toFixed(1)} ms${vs(build.startupCpuMs, base.startupCpuMs)}`,
      `${build.startupProfileMs.toFixed(1)} ms${vs(build.startupProfileMs, base.startupProfileMs)}`,
      build.label === '1000' ? `< 50 ms: ${build.startupProfileMs < 50 ? 'met' : '**missed**'}` : '-',
      `${build.startupMs.toFixed(0)} ms${vs(build.startupMs, base.startupMs)}`,
    ]
  })
  return markdownTable(
    [
      '#',
      'Build',
      'Compile (best of 2)',
      'Bundle gzip',
      'Bundle raw',
      '`wrangler check startup`: CPU, non-idle samples (median of 3)',
      'Startup incl. compiling: profile start -> last busy sample (median of 3)',
      'Target (startup incl. compiling)',
      'wrangler dev start -> first 200 (best of 2)',
    ],
    rows,
  )
}

/** How to read the numbers, with what this run observed about the clock and the storms. */
export function runtimeNotes(results: RuntimeResults): string[] {
  const { clock, clockCheck, storms } = results
  return [
    `workerd clock: \`performance.now()\` equals \`Date.now()\` (1 ms steps); ${(clock.singleCallZeroShare * 100).toFixed(0)}% of single DO round trips timed one by one read 0 ms (values seen: ${clock.distinctSingleCallMs.join(', ')} ms). It does advance without I/O here (a CPU-only loop read ${clock.cpuLoopMs} ms). So sequential paths (rows 1, 2) are timed in batches of ~20 ms and per-call latency is batch time / batch size: p50/p99 are percentiles of batch means, not of single calls.`,
    `Clock check: 10,000 floor calls took ${clockCheck.workerdMs} ms by the harness's clock and ${clockCheck.nodeMs.toFixed(0)} ms by Node's around the HTTP request.`,
    'Rows 3 and 4 time each request (they take milliseconds), with the same 1 ms resolution. Row 3 runs inside workerd: the harness sends the requests over service bindings (no HTTP stack, no wrangler proxy), 8 at a time; one-time URLs are minted before the timed part.',
    `Client storms (row 8): server-side token response ${results.clientStorms.map((storm) => storm.tokenServerMs.map((ms) => ms.toFixed(1)).join('/')).join(', ')} ms; p99 per storm ${results.clientStorms.map((storm) => formatMicros(storm.latency.p99)).join(', ')}; distinct tokens per storm ${results.clientStorms.map((storm) => storm.distinctTokens).join(', ')}; errors ${results.clientStorms.reduce((sum, storm) => sum + storm.errorCount, 0)}${results.clientStorms.some((storm) => storm.errorCount > 0) ? ` (${results.clientStorms.flatMap((storm) => storm.errors)[0]})` : ''}. All ${results.clientStorms[0]?.latency.calls ?? 0} callers are in one isolate, so they share one RPC; callers spread over isolates make one RPC per isolate, and Latchkey's single flight still makes one token request.`,
    'Rows 6-8 run the client package (packages/client) in the harness Worker, one client per isolate with default options (60 s TTL), over the same service binding as rows 1-4. The cache hit is a memory read (no RPC), so its batches hold far more calls (calibrated until a run takes 50 ms).',
    `Storms: server-side token response ${storms.map((storm) => storm.tokenServerMs.map((ms) => ms.toFixed(1)).join('/')).join(', ')} ms (delay ${TOKEN_DELAY_MS} ms, BENCH_TOKEN_DELAY_MS); p99 per storm ${storms.map((storm) => formatMicros(storm.latency.p99)).join(', ')}; distinct tokens handed out per storm ${storms.map((storm) => storm.distinctTokens).join(', ')}; errors ${storms.reduce((sum, storm) => sum + storm.errorCount, 0)}${storms.some((storm) => storm.errorCount > 0) ? ` (${storms.flatMap((storm) => storm.errors)[0]})` : ''}.`,
  ]
}

function describeTarget(target: Target, value: number): string {
  if (target === null) return '-'
  if (target.kind === 'equals') return `= ${target.value}: ${value === target.value ? 'met' : '**missed**'}`
  const met = target.kind === 'max' ? value <= target.ratio : value >= target.ratio
  return `${target.kind === 'max' ? '<=' : '>='} ${target.ratio}x: ${met ? 'met' : '**missed**'}`
}
