/**
 * The example application Worker (examples/caller-worker) running against Latchkey through
 * a real service binding: LATCHKEY_SELF stands in for its LATCHKEY binding.
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import callerWorker from '../../examples/caller-worker/src/index.ts'
import { newConnectionId } from '../../src/connection-id.ts'
import { newTenant, storeConnection } from '../support/connections.ts'

function callExample(connectionId: string, tenant: string): Promise<Response> {
  const request = new Request(`https://app.example.com/connections/${connectionId}/me`, { headers: { 'X-Example-Tenant': tenant } })
  return callerWorker.fetch(request, { LATCHKEY: env.LATCHKEY_SELF })
}

it("shows the user's profile from the connected API", async () => {
  const connection = await storeConnection({ label: 'example-me' })
  const response = await callExample(connection.connectionId, connection.tenant)
  expect(response.status).toBe(200)
  expect(await response.json()).toMatchObject({ ok: true, path: '/api/me' })
})

it('offers a reconnect URL when the connection needs the user again', async () => {
  const connection = await storeConnection({ label: 'example-reauth', expiresAt: Date.now() - 1000 })
  // The user withdrew access at the provider: whatever number of token requests the refresh
  // makes (a slow answer is retried), each one is refused.
  await connection.scenario.revokeGrants()

  const response = await callExample(connection.connectionId, connection.tenant)

  expect(response.status).toBe(409)
  const body = (await response.json()) as { error: string; reconnectUrl: string }
  expect(body.error).toBe('needs_reauth')
  expect(new URL(body.reconnectUrl).pathname).toBe('/connect/test-oauth')
})

it("answers 404 for a connection that is not the signed-in tenant's", async () => {
  const connection = await storeConnection({ label: 'example-foreign' })
  expect((await callExample(connection.connectionId, newTenant())).status).toBe(404)
  expect((await callExample(newConnectionId(), connection.tenant)).status).toBe(404)
})
