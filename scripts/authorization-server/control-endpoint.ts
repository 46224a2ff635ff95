/**
 * A small HTTP control API on the authorization server's own origin, under `/__test/`, so
 * code that cannot reach the Node process (tests in workerd) reads what the server saw:
 *
 *   GET  /__test/events?account=<login>            {events: ServerEvent[]} (all, or one account's)
 *   POST /__test/expire-access-tokens?account=<login>
 *        every access token of that account stops being valid now (the resource answers 401
 *        invalid_token), as if its lifetime had passed; refresh tokens stay valid. {expired: n}
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { ServerEventLog } from './server-events.ts'

/** Path prefix of the control API; nothing else on the server starts with it. */
export const CONTROL_PREFIX = '/__test/'

/** Answers a control request (the caller checked the prefix). */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, provider: Provider, log: ServerEventLog): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control.invalid')
  const accountId = url.searchParams.get('account') ?? undefined

  if (url.pathname === `${CONTROL_PREFIX}events` && req.method === 'GET') {
    return sendJson(res, 200, { events: log.list(accountId === undefined ? {} : { accountId }) })
  }
  if (url.pathname === `${CONTROL_PREFIX}expire-access-tokens` && req.method === 'POST') {
    if (accountId === undefined) return sendJson(res, 400, { error: 'account query parameter required' })
    let expired = 0
    for (const event of log.list({ accountId })) {
      if (event.type !== 'issued' || event.kind !== 'AccessToken') continue
      const token = await provider.AccessToken.find(event.value)
      if (!token) continue
      await token.destroy()
      expired += 1
    }
    return sendJson(res, 200, { expired })
  }
  return sendJson(res, 404, { error: 'unknown control call' })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}
