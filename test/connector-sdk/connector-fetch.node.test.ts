/**
 * S20: the fetch connector code gets never follows a redirect to another origin and never
 * re-sends a body on one. Two real local HTTP servers play the API's origin and another
 * origin; each counts what it received.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectorRedirectError, connectorFetch } from '../../src/connector-sdk/connector-fetch.ts'

interface Received {
  method: string
  path: string
  body: string
}

/** A server answering by path: `/redirect/<status>?to=<url>` redirects, anything else is 200 with what it got. */
function origin(received: Received[]): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://x')
    received.push({ method: req.method ?? '', path: url.pathname, body: Buffer.concat(chunks).toString() })
    const redirect = /^\/redirect\/(\d{3})$/.exec(url.pathname)
    if (redirect) {
      res.writeHead(Number(redirect[1]), { Location: url.searchParams.get('to') ?? '/' })
      res.end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ method: req.method, path: url.pathname }))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
}

const api: Received[] = []
const elsewhere: Received[] = []
let apiOrigin = ''
let otherOrigin = ''
const servers: Server[] = []

beforeAll(async () => {
  const first = await origin(api)
  const second = await origin(elsewhere)
  servers.push(first.server, second.server)
  apiOrigin = first.url
  // Same server process, another origin: what counts is that nothing reaches it.
  otherOrigin = second.url
})

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

describe('S20 connector fetch and redirects', () => {
  it.each([301, 302, 303, 307, 308])('S20 refuses a %i to another origin: nothing arrives there', async (status) => {
    elsewhere.length = 0
    const call = connectorFetch(`${apiOrigin}/redirect/${status}?to=${encodeURIComponent(`${otherOrigin}/token`)}`, { method: 'POST', body: 'code=secret-code' })
    await expect(call).rejects.toBeInstanceOf(ConnectorRedirectError)
    await expect(call).rejects.toThrow(`redirecting to another origin (${otherOrigin})`)
    expect(elsewhere).toEqual([])
  })

  it.each([307, 308])('S20 refuses a same-origin %i that would re-send the body', async (status) => {
    api.length = 0
    await expect(connectorFetch(`${apiOrigin}/redirect/${status}?to=/token`, { method: 'POST', body: 'refresh_token=secret' })).rejects.toThrow('never re-sends a body')
    expect(api.map((request) => request.path)).toEqual([`/redirect/${status}`])
  })

  it('follows a same-origin 303 after a POST as a GET without the body', async () => {
    api.length = 0
    const response = await connectorFetch(`${apiOrigin}/redirect/303?to=/result`, { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    expect(await response.json()).toEqual({ method: 'GET', path: '/result' })
    expect(api).toEqual([
      { method: 'POST', path: '/redirect/303', body: 'a=1' },
      { method: 'GET', path: '/result', body: '' },
    ])
  })

  it('follows a same-origin 307 of a GET', async () => {
    const response = await connectorFetch(`${apiOrigin}/redirect/307?to=/moved`)
    expect(await response.json()).toEqual({ method: 'GET', path: '/moved' })
  })

  it("hands a redirect back untouched when the code asks for redirect: 'manual'", async () => {
    elsewhere.length = 0
    const response = await connectorFetch(`${apiOrigin}/redirect/302?to=${encodeURIComponent(`${otherOrigin}/x`)}`, { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(elsewhere).toEqual([])
  })
})
