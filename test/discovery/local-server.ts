/**
 * Real HTTP servers on 127.0.0.1 for the discovery tests (the discovered-URL rules allow loopback
 * only with ALLOW_INSECURE_LOOPBACK, which the tests' policy sets). Each test scripts its own
 * server path by path; every request is recorded, so a test can assert which URLs discovery asked
 * for and in which order, and that a URL it refused was never asked at all. Unscripted paths
 * answer 404, the "not here" of a well-known URL.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DiscoveredUrlPolicy } from '../../src/discovery/index.ts'
import { LatchkeyError, type ErrorCode } from '../../src/errors.ts'

/** One request as the server received it. */
export interface RecordedRequest {
  method: string
  /** Path and query, as sent. */
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** Answers one request; may also leave it unanswered (a hanging server). */
export type Route = (request: RecordedRequest, response: ServerResponse) => void

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[]
  /** Scripts the answer for a path (exact match of path and query). */
  route(path: string, handler: Route): void
  /** The paths requested so far, in order. */
  paths(): string[]
  close(): Promise<void>
}

/** Starts a server on an ephemeral port of 127.0.0.1. */
export async function startLocalServer(): Promise<LocalServer> {
  const routes = new Map<string, Route>()
  const requests: RecordedRequest[] = []
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const request: RecordedRequest = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }
      requests.push(request)
      const route = routes.get(request.path)
      if (route === undefined) {
        response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}')
        return
      }
      route(request, response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (path, handler) => routes.set(path, handler),
    paths: () => requests.map((request) => request.path),
    close: async () => {
      // Hanging requests are part of some tests: drop them instead of waiting for them.
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A route answering JSON. */
export function jsonRoute(body: unknown, status = 200, headers: Record<string, string> = {}): Route {
  return (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body))
  }
}

/** A route answering 401 with `challenge` as WWW-Authenticate (none when null). */
export function challengeRoute(challenge: string | null, status = 401): Route {
  return (_request, response) => {
    response.writeHead(status, challenge === null ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json', 'WWW-Authenticate': challenge })
    response.end('{"error":"invalid_token"}')
  }
}

/** The tests' URL policy: loopback allowed (these servers), Latchkey elsewhere unless a test says otherwise. */
export function loopbackPolicy(latchkeyBaseUrl = 'https://latchkey.test'): DiscoveredUrlPolicy {
  return { latchkeyBaseUrl, allowInsecureLoopback: true }
}

/** The LatchkeyError `run` throws or rejects with; fails the test when it succeeds or throws something else. */
export async function discoveryError(run: () => unknown): Promise<LatchkeyError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof LatchkeyError) return error
    throw error
  }
  throw new Error('expected a LatchkeyError, but nothing was thrown')
}

/** The code of the LatchkeyError `run` throws or rejects with. */
export async function discoveryErrorCode(run: () => unknown): Promise<ErrorCode> {
  return (await discoveryError(run)).code
}
