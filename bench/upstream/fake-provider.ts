/**
 * The benchmark's upstream: a small OAuth2 provider and API on 127.0.0.1, in the bench
 * process. Unlike the test upstream (test/setup/upstream-servers.ts) it checks nothing and
 * logs nothing per request, so its own cost stays small and constant; it only counts.
 *
 * Everything lives under `/p/<profile>/` so each bench phase has its own counters and token
 * lifetime:
 *   GET  /authorize   302 to redirect_uri?code&state
 *   POST /token       any grant: {access_token, token_type, expires_in, refresh_token}; waits
 *                     `tokenDelayMs` first (a real provider takes tens of milliseconds)
 *   ANY  /api/<any>   200 {"ok":true}; counted as `/api` with a token it issued, else as
 *                     `/api (other token)` (the caller's own fixed header)
 * The bench reads and resets the counters in-process (`stats`, `reset`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'

/** Token lifetime and token endpoint delay of one profile. */
export interface ProviderProfile {
  /** `expires_in` of the first token (code exchange). */
  codeExpiresIn: number
  /** `expires_in` of refreshed tokens. */
  refreshExpiresIn: number
  tokenDelayMs: number
}

/** What the provider counted since the last reset. */
export interface ProviderStats {
  /** Requests per `<profile> <endpoint>`, e.g. `storm /token`. */
  counts: Record<string, number>
  /** Server-side duration (ms, request in to response sent) of every /token request, per profile. */
  tokenResponseMs: Record<string, number[]>
}

/** A running provider. */
export interface FakeProvider {
  origin: string
  stats(): ProviderStats
  reset(): void
  close(): Promise<void>
}

const PATH = /^\/p\/([a-z0-9-]{1,40})(\/[^?]*)$/

/** Starts the provider on a free port of 127.0.0.1. */
export async function startFakeProvider(profiles: Record<string, ProviderProfile>): Promise<FakeProvider> {
  let stats: ProviderStats = { counts: {}, tokenResponseMs: {} }
  const issuedAccessTokens = new Set<string>()
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'bench_upstream_error', message: String(error) })
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = performance.now()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const match = PATH.exec(url.pathname)
    const profileName = match?.[1] ?? ''
    const profile = profiles[profileName]
    const path = match?.[2] ?? ''
    if (!profile) return send(res, 404, { error: 'unknown_profile' })
    const body = await readBody(req)
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const endpoint = path.startsWith('/api/') ? (issuedAccessTokens.has(bearer) ? '/api' : '/api (other token)') : path
    const key = `${profileName} ${endpoint}`
    stats.counts[key] = (stats.counts[key] ?? 0) + 1

    if (path === '/authorize') {
      const callback = new URL(url.searchParams.get('redirect_uri') ?? '')
      callback.searchParams.set('code', `code_${randomToken()}`)
      callback.searchParams.set('state', url.searchParams.get('state') ?? '')
      res.writeHead(302, { Location: callback.toString() })
      res.end()
      return
    }
    if (path === '/token' && req.method === 'POST') {
      if (profile.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, profile.tokenDelayMs))
      const grant = new URLSearchParams(body).get('grant_type')
      const expiresIn = grant === 'refresh_token' ? profile.refreshExpiresIn : profile.codeExpiresIn
      res.setHeader('Cache-Control', 'no-store')
      const accessToken = `at_${randomToken()}`
      issuedAccessTokens.add(accessToken)
      send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, refresh_token: `rt_${randomToken()}` })
      stats.tokenResponseMs[profileName] ??= []
      stats.tokenResponseMs[profileName].push(performance.now() - received)
      return
    }
    if (path.startsWith('/api/')) return send(res, 200, { ok: true })
    return send(res, 404, { error: 'not_found' })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    stats: () => structuredClone(stats),
    reset: () => {
      stats = { counts: {}, tokenResponseMs: {} }
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function randomToken(): string {
  return randomBytes(18).toString('base64url')
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
