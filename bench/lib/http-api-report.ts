/**
 * The report of row 10 (bench/http-api-bench.ts): the HTTP API's access token against the
 * service binding's, its parts, and which part costs the most. The parts are differences of
 * median per-call latencies, each measured in the same run: medians add up only roughly, but
 * means follow the few calls a busy machine stalls (they made parts come out negative).
 */
import type { HttpApiResults } from '../http-api-bench.ts'
import { formatMicros, formatRatio, markdownTable } from './markdown-table.ts'
import type { LatencySummary } from './stats.ts'

/** One part of what the HTTP call costs on top of the RPC, by median. */
export interface HttpApiCost {
  /** Short, for the table. */
  name: string
  /** What it covers and how it is measured, for the notes. */
  how: string
  /** Microseconds per call (a difference of medians can come out slightly negative when a part is nearly free). */
  us: number
}

/**
 * Where the HTTP call's extra time goes, largest first. With the medians (p50) of the paths:
 *
 *   network hop           = HTTP over the network - HTTP through the binding
 *   Worker before guard   = refused request - /health through the binding - key check - audit line
 *   key check, rate limit, audit line: each measured alone
 *   the rest              = HTTP through the binding - RPC - all of the above but the hop
 *
 * "The rest" is what answering the operation over HTTP adds to answering it over RPC: zod
 * validation, JSON both ways, the fetch round trip against the RPC's.
 */
export function httpApiCosts(results: HttpApiResults): HttpApiCost[] {
  const { rpc, httpBinding, httpNetwork, httpRefused, healthBinding, keyCheck, rateLimit, logLine } = results.paths
  const beforeGuard = httpRefused.p50 - healthBinding.p50 - keyCheck.p50 - logLine.p50
  const costs: HttpApiCost[] = [
    { name: 'the network hop', how: 'loopback HTTP through wrangler dev, in through the harness (10 - 10.i)', us: httpNetwork.p50 - httpBinding.p50 },
    {
      name: "the Worker's routing and middleware before the guard",
      how: 'security headers, the sub-apps, the API switch (10.vi less the key check and the audit line)',
      us: beforeGuard,
    },
    { name: 'the audit log line', how: 'console.log of one JSON line (10.iv)', us: logLine.p50 },
    { name: 'API key verification', how: 'SHA-256 + constant-time compare (10.iii)', us: keyCheck.p50 },
    { name: "the rate limiter's count", how: 'one limit() of the rate-limiting binding (10.v)', us: rateLimit.p50 },
  ]
  const measured = costs.slice(1).reduce((sum, cost) => sum + cost.us, 0)
  costs.push({
    name: 'validation, JSON and the fetch round trip',
    how: 'zod, JSON both ways, a Request and Response over the binding against an RPC (10.i - RPC - the parts above)',
    us: httpBinding.p50 - rpc.p50 - measured,
  })
  return costs.sort((a, b) => b.us - a.us)
}

/** The table of row 10. */
export function httpApiReport(results: HttpApiResults): string {
  const { paths } = results
  const rows: string[][] = []
  const latencyRows = (id: string, what: string, measured: LatencySummary, baseline: LatencySummary): void => {
    for (const key of ['p50', 'p99'] as const) {
      rows.push([id, `${what}, ${key}`, formatMicros(measured[key]), formatMicros(baseline[key]), formatRatio(measured[key] / baseline[key]), '-'])
    }
  }
  latencyRows(
    '10',
    `HTTP API: \`GET /v1/connections/{id}/access-token\` with an API key over loopback HTTP (${paths.httpNetwork.calls} calls) vs \`getAccessToken\` over the service binding, same connection`,
    paths.httpNetwork,
    paths.rpc,
  )
  rows.push(['10', 'HTTP API: upstream requests during row 10', String(results.upstreamRequests), '0', '-', `= 0: ${results.upstreamRequests === 0 ? 'met' : '**missed**'}`])
  latencyRows('10.i', "The same HTTP request through a service binding's fetch (no network) vs the service binding RPC: Latchkey's HTTP layer", paths.httpBinding, paths.rpc)
  latencyRows('10.ii', "`GET /health` over loopback HTTP vs through a service binding's fetch: the network hop alone", paths.healthNetwork, paths.healthBinding)
  latencyRows('10.iii', 'API key verification alone (`checkApiKey`: SHA-256 + constant-time compare) vs the service binding RPC', paths.keyCheck, paths.rpc)
  latencyRows('10.iv', 'One audit log line alone (`console.log` of the JSON line every HTTP API call writes) vs the service binding RPC', paths.logLine, paths.rpc)
  latencyRows('10.v', "The per-key rate limiter's count alone (one `limit()` of a rate-limiting binding) vs the service binding RPC", paths.rateLimit, paths.rpc)
  latencyRows(
    '10.vi',
    "The request of 10.i with a wrong key (401 from the API's guard: no validation, no operation) vs `GET /health` through the binding",
    paths.httpRefused,
    paths.healthBinding,
  )
  const costs = httpApiCosts(results)
  rows.push([
    '10',
    `HTTP API over RPC: where the ${formatMicros(paths.httpNetwork.p50 - paths.rpc.p50)} more per call go (p50s), largest first`,
    costs.map((cost) => `${cost.name} ${formatMicros(Math.max(0, cost.us))}`).join('; '),
    '-',
    '-',
    '-',
  ])
  return markdownTable(['#', 'Path', 'Measured', 'Baseline', 'Ratio', 'Target'], rows)
}

/** How to read row 10. */
export function httpApiNotes(results: HttpApiResults): string[] {
  const costs = httpApiCosts(results)
  return [
    `Row 10: the parts are differences of medians (p50) measured in the same run, largest first: ${costs.map((cost) => `${cost.name} ${formatMicros(cost.us)} (${cost.how})`).join('; ')}. The largest is ${costs[0]?.name ?? '-'}. The network path is loopback HTTP to wrangler dev's port and in again through the harness Worker (which owns the port) and a service binding; a deployed caller adds the internet, TLS and Cloudflare's edge, so the hop only grows. The audit line goes to wrangler's terminal here, to Workers Logs when deployed.`,
  ]
}
