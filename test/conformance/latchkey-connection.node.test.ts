/**
 * The adapter's connection (scripts/conformance/latchkey-connection.ts) with a scripted Latchkey
 * and browser: what a first connect and a reconnect ask for, how a flow's end becomes a
 * connection or a refusal code, and the bounds on reconnecting (three authorizations at most for
 * step-up, the limit of the suite's auth/scope-retry-limit; one for a refused connection).
 */
import { describe, expect, it } from 'vitest'
import type { Browser, NavigationEnd } from '../../scripts/conformance/browser-navigation.ts'
import { type ConnectUrlRequest, type LatchkeyApi, LatchkeyRefusal, type ProxiedRequest } from '../../scripts/conformance/latchkey-api.ts'
import { ConnectRefused, LatchkeyConnection } from '../../scripts/conformance/latchkey-connection.ts'

const RETURN_URL = 'http://localhost:8787/conformance/connected'
const CONNECTION_ID = 'conn_abcdefghijklmnopqrstuvwxyz'

/** A Latchkey whose proxy answers from `proxyAnswers` in turn (a Response, or a refusal code). */
function scriptedLatchkey(proxyAnswers: (Response | string)[], flowEnd: () => NavigationEnd = connected) {
  const connectRequests: ConnectUrlRequest[] = []
  const proxied: ProxiedRequest[] = []
  const api = {
    createConnectUrl: async (request: ConnectUrlRequest) => {
      connectRequests.push(request)
      return `http://localhost:8787/connect/mcp?token=t${connectRequests.length}`
    },
    proxy: async (_connectionId: string, request: ProxiedRequest) => {
      proxied.push(request)
      const answer = proxyAnswers.shift()
      if (answer === undefined) throw new Error('the script has no more answers')
      if (typeof answer === 'string') throw new LatchkeyRefusal(answer, 403, 'scripted')
      return answer
    },
  } as unknown as LatchkeyApi
  const browser = { navigate: async () => flowEnd() } as unknown as Browser
  const lines: string[] = []
  const connection = new LatchkeyConnection(api, browser, { resourceUrl: 'http://localhost:9000/mcp', returnUrl: RETURN_URL }, (line) => lines.push(line))
  return { connection, connectRequests, proxied, lines }
}

function connected(): NavigationEnd {
  return { kind: 'returned', url: new URL(`${RETURN_URL}?connection_id=${CONNECTION_ID}&status=connected`) }
}

const ok = () => new Response('{}', { status: 200 })

describe('connecting', () => {
  it('asks for the mcp connector with the resource URL first, and by connection id after', async () => {
    const { connection, connectRequests } = scriptedLatchkey([])
    await connection.connect()
    await connection.connect()
    expect(connectRequests).toEqual([
      { connectorKey: 'mcp', connectionInput: { resourceUrl: 'http://localhost:9000/mcp' }, returnUrl: RETURN_URL },
      { connectorKey: 'mcp', connectionId: CONNECTION_ID, returnUrl: RETURN_URL },
    ])
    expect(connection.authorizations).toBe(2)
  })

  it("refuses with the return URL's error code", async () => {
    const { connection } = scriptedLatchkey([], () => ({ kind: 'returned', url: new URL(`${RETURN_URL}?error=issuer_mismatch`) }))
    const refusal = await connection.connect().catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(ConnectRefused)
    expect((refusal as ConnectRefused).code).toBe('issuer_mismatch')
  })

  it("refuses with the error page's code when the flow stops on a page", async () => {
    const page: NavigationEnd = { kind: 'page', url: new URL('http://localhost:8787/connect/mcp'), status: 502, text: '<p>Error code: <code>resource_mismatch</code></p>' }
    const { connection } = scriptedLatchkey([], () => page)
    await expect(connection.connect()).rejects.toMatchObject({ code: 'resource_mismatch' })
  })

  it('refuses a connection that came back not connected', async () => {
    const { connection } = scriptedLatchkey([], () => ({ kind: 'returned', url: new URL(`${RETURN_URL}?connection_id=${CONNECTION_ID}&status=error`) }))
    await expect(connection.connect()).rejects.toMatchObject({ code: 'status_error' })
  })
})

describe('sending through the proxy', () => {
  it('sends to the resource itself and returns its answer', async () => {
    const { connection, proxied } = scriptedLatchkey([ok()])
    await connection.connect()
    expect((await connection.transport({ 'Content-Type': 'application/json' }, '{"a":1}')).status).toBe(200)
    expect(proxied).toEqual([{ method: 'POST', path: '', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }])
  })

  it('reconnects on step_up_required and sends again, the same message', async () => {
    const { connection, proxied } = scriptedLatchkey(['step_up_required', ok()])
    await connection.connect()
    expect((await connection.transport({}, 'message')).status).toBe(200)
    expect(connection.authorizations).toBe(2)
    expect(proxied.map((request) => request.body)).toEqual(['message', 'message'])
  })

  it('stops after three authorizations when the resource never stops asking for more', async () => {
    const { connection } = scriptedLatchkey(['step_up_required', 'step_up_required', 'step_up_required', ok()])
    await connection.connect()
    await expect(connection.transport({}, 'message')).rejects.toMatchObject({ code: 'step_up_required' })
    expect(connection.authorizations).toBe(3)
  })

  it('reconnects once on needs_reauth, and once only', async () => {
    const { connection } = scriptedLatchkey(['needs_reauth', 'needs_reauth'])
    await connection.connect()
    await expect(connection.transport({}, 'message')).rejects.toMatchObject({ code: 'needs_reauth' })
    expect(connection.authorizations).toBe(2)
  })

  it('reconnects once on a 401 that Latchkey passed through, then returns the next answer', async () => {
    const { connection, lines } = scriptedLatchkey([new Response('', { status: 401 }), new Response('', { status: 401 })])
    await connection.connect()
    expect((await connection.transport({}, 'message')).status).toBe(401)
    expect(connection.authorizations).toBe(2)
    expect(lines).toContain('the resource answered 401 after Latchkey refreshed: reconnecting')
  })

  it('passes other refusals on at once', async () => {
    const { connection } = scriptedLatchkey(['upstream_unavailable'])
    await connection.connect()
    await expect(connection.transport({}, 'message')).rejects.toMatchObject({ code: 'upstream_unavailable' })
    expect(connection.authorizations).toBe(1)
  })
})
