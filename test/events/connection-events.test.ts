/**
 * Connection events delivered to the webhook (EVENTS_WEBHOOK_URL points at the test
 * upstream's request log in vitest.config.ts): signed, one per lifecycle step, and never
 * carrying a secret (S13). That URL answers 404, which must not fail any operation.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import type { ConnectionEvent } from '../../src/connection/events/connection-event.ts'
import { deliverEvent } from '../../src/connection/events/deliver-event.ts'
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/connection/events/webhook-signature.ts'
import { connectionObject, credentialsFrom, storeConnection, storedCredentials } from '../support/connections.ts'
import { UpstreamScenario, webhookDeliveries, type LoggedRequest } from '../support/upstream.ts'

const WEBHOOK_SECRET = Reflect.get(env, 'EVENTS_WEBHOOK_SECRET') as string

/** Webhook deliveries about one connection, parsed. */
async function deliveriesFor(connectionId: string): Promise<{ request: LoggedRequest; event: ConnectionEvent }[]> {
  return (await webhookDeliveries(connectionId)).map((request) => ({ request, event: JSON.parse(request.body) as ConnectionEvent }))
}

describe('webhook events', () => {
  it('S13 delivers signed events for each lifecycle step, none carrying a token, without failing the operations', async () => {
    const connection = await storeConnection({ label: 'events-lifecycle', expiresAt: Date.now() - 1000 })
    const stub = connectionObject(connection.connectionId)
    const issued = [connection.tokens.access_token, connection.tokens.refresh_token]

    await stub.getAccessToken(connection.tenant)
    const refreshed = await storedCredentials(connection.connectionId)
    issued.push(refreshed['access_token'] as string, refreshed['refresh_token'] as string)
    const fresh = await connection.scenario.grant()
    issued.push(fresh.access_token, fresh.refresh_token as string)
    await stub.storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'test-oauth',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: credentialsFrom(fresh, Date.now() - 1000),
    })
    await connection.scenario.revokeGrants()
    await stub.getAccessToken(connection.tenant).catch(() => undefined)
    await stub.disconnect(connection.tenant)

    const expected = ['connection.created', 'connection.refreshed', 'connection.reconnected', 'connection.needs_reauth', 'connection.deleted']
    await vi.waitFor(async () => expect((await deliveriesFor(connection.connectionId)).map(({ event }) => event.type).sort()).toEqual([...expected].sort()))

    const deliveries = await deliveriesFor(connection.connectionId)
    const now = Math.floor(Date.now() / 1000)
    for (const { request, event } of deliveries) {
      expect(await verifyWebhookSignature(WEBHOOK_SECRET, request.headers[SIGNATURE_HEADER.toLowerCase()] ?? '', request.body, now)).toBe(true)
      expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), connectorKey: 'test-oauth', tenant: connection.tenant, occurredAt: expect.any(Number) })
      for (const secret of issued) expect(request.body).not.toContain(secret)
    }
    expect(deliveries.find(({ event }) => event.type === 'connection.needs_reauth')?.event).toMatchObject({ status: 'needs_reauth', error: { code: 'needs_reauth' } })
  })

  it('S13 a refresh_failed event names the error code and carries no token', async () => {
    const connection = await storeConnection({ label: 'events-refresh-failed', expiresAt: Date.now() - 1000 })
    await connection.scenario.script('/token', [{ status: 500 }, { status: 500 }, { status: 500 }])
    await connectionObject(connection.connectionId)
      .getAccessToken(connection.tenant)
      .catch(() => undefined)

    await vi.waitFor(async () => expect((await deliveriesFor(connection.connectionId)).map(({ event }) => event.type)).toContain('connection.refresh_failed'))
    const failed = (await deliveriesFor(connection.connectionId)).find(({ event }) => event.type === 'connection.refresh_failed')
    expect(failed?.event.error).toMatchObject({ code: 'upstream_unavailable' })
    expect(failed?.request.body).not.toContain(connection.tokens.refresh_token)
  })
})

describe('queue events', () => {
  it('sends the event to the queue when EVENTS_QUEUE is bound', async () => {
    const sent: unknown[] = []
    const queue = { send: async (message: unknown) => void sent.push(message) } as unknown as Queue<ConnectionEvent>
    const event: ConnectionEvent = {
      id: 'evt_queue',
      type: 'connection.created',
      occurredAt: Date.now(),
      connectionId: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      connectorKey: 'test-oauth',
      authOption: null,
      tenant: 'tenant-queue',
      status: 'connected',
      error: null,
    }
    await deliverEvent({ webhook: null, queue }, event, Date.now())
    expect(sent).toEqual([event])
  })

  it('never throws when the queue and the webhook both fail', async () => {
    const queue = { send: async () => Promise.reject(new Error('queue down')) } as unknown as Queue<ConnectionEvent>
    const event = { id: 'evt_fail', type: 'connection.deleted' } as ConnectionEvent
    const webhook = { url: `${new UpstreamScenario('events-failing-webhook').base}/webhook`, secret: 's' }
    await expect(deliverEvent({ webhook, queue }, event, Date.now())).resolves.toBeUndefined()
  })
})
