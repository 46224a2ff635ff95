/**
 * The discovery fetch against a real local server: a metadata document is a 200 application/json
 * object within the size limit; a 4xx is "not here"; redirects are never followed; a request or a
 * body that does not finish is refused when its signal fires (the test fires it when the server
 * has the request, so nothing races the clock).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_DISCOVERY_BODY_BYTES, fetchMetadataDocument } from '../../src/discovery/index.ts'
import { type LocalServer, discoveryError, discoveryErrorCode, jsonRoute, startLocalServer } from './local-server.ts'

let server: LocalServer

beforeEach(async () => {
  server = await startLocalServer()
})

afterEach(async () => {
  await server.close()
})

function fetchDocument(path: string, signal?: AbortSignal) {
  return fetchMetadataDocument(new URL(`${server.origin}${path}`), 'The document', { fetch, signal })
}

describe('fetchMetadataDocument', () => {
  it('returns a JSON object and asks for JSON', async () => {
    server.route('/doc', jsonRoute({ issuer: 'https://auth.example.com' }, 200, { 'Content-Type': 'application/json; charset=utf-8' }))
    expect(await fetchDocument('/doc')).toEqual({ found: true, document: { issuer: 'https://auth.example.com' } })
    expect(server.requests[0]).toMatchObject({ method: 'GET', headers: { accept: 'application/json' } })
    expect(server.requests[0]?.headers.authorization).toBeUndefined()
  })

  it.each([404, 400, 401, 410])('reports a %i as not found, for the next well-known URL', async (status) => {
    server.route('/doc', jsonRoute({ error: 'nope' }, status))
    expect(await fetchDocument('/doc')).toEqual({ found: false, status })
  })

  it('accepts a body exactly at the size limit', async () => {
    const padding = 'x'.repeat(MAX_DISCOVERY_BODY_BYTES - '{"p":""}'.length)
    server.route('/doc', jsonRoute({ p: padding }))
    expect(await fetchDocument('/doc')).toEqual({ found: true, document: { p: padding } })
  })

  it.each([
    ['a body one byte over the size limit', jsonRoute({ p: 'x'.repeat(MAX_DISCOVERY_BODY_BYTES - '{"p":""}'.length + 1) })],
    ['a 500', jsonRoute({ error: 'server_error' }, 500)],
    ['a 204', (_request, response) => response.writeHead(204).end()],
    ['another content type', (_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('{"issuer":"x"}')],
    ['no content type', (_request, response) => response.writeHead(200).end('{"issuer":"x"}')],
    ['invalid JSON', (_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"issuer":')],
    ['a JSON array', jsonRoute([{ issuer: 'x' }])],
    ['a JSON string', jsonRoute('issuer')],
  ] satisfies [string, Parameters<LocalServer['route']>[1]][])('refuses %s as discovery_failed', async (_case, route) => {
    server.route('/doc', route)
    expect(await discoveryErrorCode(() => fetchDocument('/doc'))).toBe('discovery_failed')
  })

  it.each([301, 302, 303, 307, 308])('refuses a %i redirect without following it', async (status) => {
    server.route('/doc', (_request, response) => response.writeHead(status, { Location: `${server.origin}/trap` }).end())
    server.route('/trap', jsonRoute({ issuer: 'https://auth.example.com' }))
    expect(await discoveryErrorCode(() => fetchDocument('/doc'))).toBe('discovery_failed')
    expect(server.paths()).toEqual(['/doc'])
  })

  it('refuses a server that never answers once the signal fires', async () => {
    const controller = new AbortController()
    server.route('/doc', () => controller.abort())
    expect(await discoveryErrorCode(() => fetchDocument('/doc', controller.signal))).toBe('discovery_failed')
  })

  it('refuses a body that stops half-way once the signal fires', async () => {
    const controller = new AbortController()
    server.route('/doc', (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.write('{"issuer":')
    })
    // The signal fires once the headers have arrived, so it is the body read that is cut.
    const abortAfterHeaders: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      controller.abort()
      return response
    }
    const url = new URL(`${server.origin}/doc`)
    const error = await discoveryError(() => fetchMetadataDocument(url, 'The document', { fetch: abortAfterHeaders, signal: controller.signal }))
    expect(error.code).toBe('discovery_failed')
    expect(error.status).toBe(502)
  })

  it('refuses a server that never answers within the time limit', async () => {
    server.route('/doc', () => {})
    const code = await discoveryErrorCode(() => fetchMetadataDocument(new URL(`${server.origin}/doc`), 'The document', { fetch, timeoutMs: 50 }))
    expect(code).toBe('discovery_failed')
  })

  it('refuses a server that is not there', async () => {
    await server.close()
    expect(await discoveryErrorCode(() => fetchDocument('/doc'))).toBe('discovery_failed')
  })
})
