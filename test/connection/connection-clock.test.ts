/**
 * The connection object takes its time from the clock it is given (`ConnectionImplementation`'s
 * `now`), never from the system: every stored time and every refresh decision follows it.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { newConnectionId } from '../../src/connection-id.ts'
import { ConnectionImplementation } from '../../src/connection/connection-implementation.ts'
import { credentialsFrom, durableObject, newTenant } from '../support/connections.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const HOUR = 3_600_000

it('stores times and decides refreshes by the clock it is given', async () => {
  const connectionId = newConnectionId()
  const scenario = new UpstreamScenario()
  const tokens = await scenario.grant()
  const tenant = newTenant()
  const start = Date.UTC(2031, 0, 1)
  let now = start

  const seen = await runInDurableObject(durableObject(connectionId), async (_instance, state) => {
    const connection = new ConnectionImplementation(state, env, () => now)
    const stored = await connection.storeAuthorizedConnection({
      connectionId,
      connectorKey: 'test-oauth',
      tenant,
      connectionInput: { scenario: scenario.id },
      credentials: credentialsFrom(tokens, start + HOUR),
    })
    const beforeDue = await connection.getAccessToken(tenant)
    now = start + HOUR - 1
    const afterDue = await connection.getAccessToken(tenant)
    return { stored, beforeDue, afterDue, summary: await connection.getSummary(tenant) }
  })

  expect(seen.stored).toMatchObject({ createdAt: start, updatedAt: start, expiresAt: start + HOUR })
  expect(seen.beforeDue.accessToken).toBe(tokens.access_token)
  expect(seen.afterDue.accessToken).not.toBe(tokens.access_token)
  expect(seen.summary).toMatchObject({ lastRefreshedAt: start + HOUR - 1, updatedAt: start + HOUR - 1 })
  expect(await scenario.requestsTo('/token')).toHaveLength(1)
})
