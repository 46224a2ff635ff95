/**
 * Row 10 of `npm run bench` (issue #16): a valid access token over the HTTP API with an API key
 * (`GET /v1/connections/{id}/access-token`), against the same token over the service binding
 * (`LatchkeyService.getAccessToken`), one connection, one run. Its parts, measured alongside so
 * the report can name the largest: the same HTTP request without the network (through a service
 * binding's fetch); a request that does nothing, both ways (`/health`: the hop and the fetch
 * handler alone); the same request with a wrong key (answered by the API's guard, before any
 * validation or operation); and alone, the key check (one SHA-256, one constant-time compare),
 * the per-key rate limiter's count and one audit log line (every HTTP API call writes one). All
 * in workerd, timed by the harness like rows 1-9.
 *
 * The network path is loopback HTTP to wrangler dev's port: the request leaves workerd, passes
 * wrangler's dev proxy and comes back in through the harness's fetch handler, which hands it to
 * Latchkey over a service binding (the port belongs to the harness). A deployed caller's hop
 * (the internet, TLS, Cloudflare's edge) costs more; this is the hop's floor on one machine.
 */
import { connectThroughFlow } from './lib/connect-flow.ts'
import { summarizeBatches, type LatencySummary } from './lib/stats.ts'
import { alternate, type Context } from './runtime-bench.ts'
import type { FakeProvider } from './upstream/fake-provider.ts'

/** The paths row 10 times. */
export type HttpApiPath = 'rpc' | 'httpBinding' | 'httpNetwork' | 'httpRefused' | 'healthBinding' | 'healthNetwork' | 'keyCheck' | 'rateLimit' | 'logLine'

/** What row 10 measured. */
export interface HttpApiResults {
  paths: Record<HttpApiPath, LatencySummary>
  /** Upstream requests during the row (the token stays valid: must be 0). */
  upstreamRequests: number
}

/** The row's tenant; its connection is made by the connect flow with the provider profile `http`. */
const TENANT = 'tenant-http'
/** HTTP calls take a millisecond, not tens of microseconds: fewer batches keep the row near a minute. */
const BATCHES_PER_PATH = 150

/** Runs row 10 against the harness at `harnessOrigin` (wrangler dev's port). */
export async function runHttpApiBench(harnessOrigin: string, provider: FakeProvider, progress: (line: string) => void): Promise<HttpApiResults> {
  const context: Context = { harness: harnessOrigin, provider }
  progress('HTTP API: seeding a connection through the connect flow')
  const connectionId = await connectThroughFlow(harnessOrigin, TENANT, 'http')
  const connection = `tenant=${TENANT}&connectionId=${connectionId}`
  const network = `origin=${encodeURIComponent(harnessOrigin)}`

  progress(`HTTP API: ${BATCHES_PER_PATH} batches of ~20 ms per path, the RPC baseline among them`)
  provider.reset()
  // Each HTTP path right after the RPC baseline or its own floor, so the two take turns closest in time.
  const runs = await alternate(
    context,
    {
      rpc: `/bench/get-access-token?${connection}&`,
      httpNetwork: `/bench/http-access-token?${connection}&${network}&`,
      httpBinding: `/bench/http-access-token?${connection}&`,
      httpRefused: `/bench/http-access-token?${connection}&refused=1&`,
      healthNetwork: `/bench/http-health?${network}&`,
      healthBinding: '/bench/http-health?',
      keyCheck: '/bench/api-key-check?',
      rateLimit: '/bench/rate-limit?',
      logLine: '/bench/log-line?',
    } satisfies Record<HttpApiPath, string>,
    undefined,
    BATCHES_PER_PATH,
  )
  const upstreamRequests = Object.entries(provider.stats().counts)
    .filter(([key]) => key.startsWith('http '))
    .reduce((sum, [, count]) => sum + count, 0)
  const paths = Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, summarizeBatches(run.runs)])) as Record<HttpApiPath, LatencySummary>
  return { paths, upstreamRequests }
}
