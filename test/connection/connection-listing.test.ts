/**
 * `listConnections` at scale: each connection pushes its summary to the tenant directory on
 * every change, before its own call returns, and a page of the listing is read from the
 * directory alone, in connection-id order, behind an opaque cursor.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { LatchkeyApi } from '../../src/api/latchkey-api.ts'
import { newConnectionId } from '../../src/connection-id.ts'
import { ConnectionImplementation } from '../../src/connection/connection-implementation.ts'
import { encodeCursor } from '../../src/connection/connection-listing.ts'
import type { ConnectionSummary } from '../../src/connection/connection-record.ts'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'
import { tenantDirectory, type TenantDirectoryEntry } from '../../src/connection/tenant-directory.ts'
import { openPage, pageVisitor, readPage } from '../support/connect-page.ts'
import { mintPageToken } from '../support/connect-token.ts'
import { connectionObject, durableObject, newTenant, storeConnection, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'

const api = new LatchkeyApi(env)

/** Every connection of `tenant`, page after page. */
async function listAll(tenant: string, limit?: number): Promise<{ pages: ConnectionSummary[][]; all: ConnectionSummary[] }> {
  const pages: ConnectionSummary[][] = []
  let cursor: string | null = null
  do {
    const page: { connections: ConnectionSummary[]; nextCursor: string | null } = await api.listConnections(tenant, { cursor, ...(limit === undefined ? {} : { limit }) })
    pages.push(page.connections)
    cursor = page.nextCursor
  } while (cursor !== null)
  return { pages, all: pages.flat() }
}

/** The tenant's listing entry of `connectionId` (first page of 1000), or undefined. */
async function listed(tenant: string, connectionId: string): Promise<ConnectionSummary | undefined> {
  return (await api.listConnections(tenant, { limit: 1000 })).connections.find((summary) => summary.connectionId === connectionId)
}

/** What the tenant directory holds for `connectionId`, read from its storage. */
function directoryEntry(tenant: string, connectionId: string): Promise<TenantDirectoryEntry | undefined> {
  return runInDurableObject(tenantDirectory(env, tenant), (_instance, state) => state.storage.kv.get<TenantDirectoryEntry>(`connection:${connectionId}`))
}

/** Stores `count` connections of `tenant` without any provider (fixed credentials), a batch at a time. */
async function seed(tenant: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newConnectionId())
  for (let start = 0; start < ids.length; start += 50) {
    await Promise.all(
      ids.slice(start, start + 50).map((connectionId) =>
        connectionObject(connectionId).storeAuthorizedConnection({
          connectionId,
          connectorKey: 'test-oauth',
          tenant,
          connectionInput: { scenario: 'listing-seed' },
          credentials: { access_token: 'at', refresh_token: 'rt', token_type: 'Bearer', expires_at: Date.now() + 3_600_000 },
        }),
      ),
    )
  }
  return ids.sort()
}

describe('the directory follows every change of a connection', () => {
  it('connect, failed test, refresh, needs_reauth after a revoked refresh, reconnect and disconnect: listed as stored when each call returns', async () => {
    const tenant = newTenant()
    const connection = await storeConnection({ label: 'listing-follow', tenant })
    const { connectionId } = connection
    const stub = connectionObject(connectionId)
    expect(await listed(tenant, connectionId)).toEqual(connection.summary)

    await connection.scenario.expireAccessTokens()
    const failedTest = await stub.testConnection(tenant)
    expect(failedTest).toMatchObject({ status: 'error', testResult: { ok: false } })
    expect(await listed(tenant, connectionId)).toEqual(failedTest)

    const refreshed = await stub.refresh(tenant)
    expect(refreshed.lastRefreshedAt).toEqual(expect.any(Number))
    expect(await listed(tenant, connectionId)).toEqual(refreshed)

    await connection.scenario.revokeGrants()
    expect(await errorCodeOf(() => stub.refresh(tenant))).toBe('needs_reauth')
    const revoked = await listed(tenant, connectionId)
    expect(revoked).toMatchObject({ status: 'needs_reauth', lastError: { code: 'needs_reauth' } })
    expect(revoked).toEqual(await storedSummary(connectionId))

    const reconnected = await stub.storeAuthorizedConnection({
      connectionId,
      connectorKey: 'test-oauth',
      tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: { ...(await connection.scenario.grant()), expires_at: Date.now() + 3_600_000 },
    })
    expect(reconnected).toMatchObject({ status: 'connected', lastError: null })
    expect(await listed(tenant, connectionId)).toEqual(reconnected)

    await stub.disconnect(tenant)
    expect(await listed(tenant, connectionId)).toBeUndefined()
    expect(await directoryEntry(tenant, connectionId)).toBeUndefined()
  })

  it('a refresh due at access (getAccessToken) is listed when the call returns', async () => {
    const tenant = newTenant()
    const connection = await storeConnection({ label: 'listing-due', tenant, expiresAt: Date.now() - 1000 })
    await connectionObject(connection.connectionId).getAccessToken(tenant)
    const summary = await storedSummary(connection.connectionId)
    expect(summary?.lastRefreshedAt).toEqual(expect.any(Number))
    expect(await listed(tenant, connection.connectionId)).toEqual(summary)
  })

  it('the listing is served from the directory: no connection object is asked', async () => {
    const tenant = newTenant()
    const [first, second] = await seed(tenant, 2)
    if (first === undefined || second === undefined) throw new Error('seeded two')
    // Storage of one connection gone, and the directory's copy of the other changed behind its back:
    // a listing that asked the connections would drop the first and show the second as it is.
    await runInDurableObject(durableObject(first), (_instance, state) => state.storage.deleteAll())
    await runInDurableObject(tenantDirectory(env, tenant), (_instance, state) => {
      const entry = state.storage.kv.get<Required<TenantDirectoryEntry>>(`connection:${second}`)
      if (entry === undefined) throw new Error('no entry')
      state.storage.kv.put(`connection:${second}`, { ...entry, summary: { ...entry.summary, status: 'error', lastError: { code: 'marker', message: 'from the directory' } } })
    })

    const { connections } = await api.listConnections(tenant)
    expect(connections.map((summary) => summary.connectionId)).toEqual([first, second])
    expect(connections[1]).toMatchObject({ status: 'error', lastError: { code: 'marker' } })
  })

  it('a summary older than the stored one is ignored, and a disconnected connection is not brought back by a late push', async () => {
    const tenant = newTenant()
    const connection = await storeConnection({ label: 'listing-order', tenant })
    const directory = tenantDirectory(env, tenant)
    await connectionObject(connection.connectionId).testConnection(tenant)
    const current = await directoryEntry(tenant, connection.connectionId)
    expect(current?.revision).toBe(2)

    const stale = { ...connection.summary, status: 'error' as const }
    expect(await directory.publishSummary(stale, 1)).toBe(false)
    expect(await directory.publishSummary(stale, 2)).toBe(false)
    expect(await directoryEntry(tenant, connection.connectionId)).toEqual(current)

    await connectionObject(connection.connectionId).disconnect(tenant)
    expect(await directory.publishSummary(stale, 2)).toBe(false)
    expect(await listed(tenant, connection.connectionId)).toBeUndefined()
    // A later life of the id (stored again after the disconnect) is listed.
    expect(await directory.publishSummary({ ...connection.summary, createdAt: connection.summary.createdAt + 1 }, 1)).toBe(true)
    expect(await listed(tenant, connection.connectionId)).toMatchObject({ createdAt: connection.summary.createdAt + 1 })
  })

  it('a write that changes no summary field (a refresh starting) takes no revision: a refresh is one', async () => {
    const tenant = newTenant()
    const connection = await storeConnection({ label: 'listing-revision', tenant })
    await connectionObject(connection.connectionId).refresh(tenant)
    const record = await runInDurableObject(durableObject(connection.connectionId), (_instance, state) => state.storage.kv.get<{ revision: number }>(STORAGE_KEYS.connection))
    expect(record?.revision).toBe(2)
    expect((await directoryEntry(tenant, connection.connectionId))?.revision).toBe(2)
  })
})

describe('when the directory cannot be reached', () => {
  /** `env` whose tenant directories fail while `down.now` is true. */
  function flakyEnv(down: { now: boolean }): Env {
    const namespace = env.TENANT_DIRECTORIES
    const flaky = {
      idFromName: (name: string) => namespace.idFromName(name),
      get: (id: DurableObjectId) => {
        const real = namespace.get(id)
        return {
          publishSummary: (summary: ConnectionSummary, revision: number) => (down.now ? Promise.reject(new Error('directory down')) : real.publishSummary(summary, revision)),
          removeConnection: (connectionId: string, version?: { createdAt: number; revision: number }) =>
            down.now ? Promise.reject(new Error('directory down')) : real.removeConnection(connectionId, version),
        }
      },
    }
    return { ...env, TENANT_DIRECTORIES: flaky as unknown as Env['TENANT_DIRECTORIES'] }
  }

  it('the operation still succeeds and is stored; the push is recorded, retried, and lands when the directory is back', async () => {
    const tenant = newTenant()
    const connectionId = newConnectionId()
    const down = { now: true }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const { summary, pending } = await runInDurableObject(durableObject(connectionId), async (_instance, state) => {
        const connection = new ConnectionImplementation(state, flakyEnv(down))
        const summary = await connection.storeAuthorizedConnection({
          connectionId,
          connectorKey: 'test-oauth',
          tenant,
          connectionInput: { scenario: 'listing-down' },
          credentials: { access_token: 'at', refresh_token: 'rt', token_type: 'Bearer' },
        })
        return { summary, pending: state.storage.kv.get(STORAGE_KEYS.directoryPending) }
      })
      expect(summary).toMatchObject({ connectionId, status: 'connected' })
      expect(await storedSummary(connectionId)).toEqual(summary)
      expect(pending).toBe(1)
      expect(await listed(tenant, connectionId)).toBeUndefined()

      down.now = false
      await vi.waitFor(async () => expect(await listed(tenant, connectionId)).toEqual(summary), { timeout: 15_000, interval: 200 })
      await vi.waitFor(
        async () => expect(await runInDurableObject(durableObject(connectionId), (_instance, state) => state.storage.kv.get(STORAGE_KEYS.directoryPending))).toBeUndefined(),
        { timeout: 5_000 },
      )
    } finally {
      warn.mockRestore()
    }
  })

  it('a push recorded as not landed is made when the object starts again', async () => {
    const tenant = newTenant()
    const [connectionId] = await seed(tenant, 1)
    if (connectionId === undefined) throw new Error('seeded one')
    // As if the push had failed and the object stopped before a retry: no entry, the key set.
    await runInDurableObject(tenantDirectory(env, tenant), (_instance, state) => state.storage.kv.delete(`connection:${connectionId}`))
    await runInDurableObject(durableObject(connectionId), async (_instance, state) => {
      state.storage.kv.put(STORAGE_KEYS.directoryPending, 1)
      await new ConnectionImplementation(state, env).start()
    })
    await vi.waitFor(async () => expect(await listed(tenant, connectionId)).toEqual(await storedSummary(connectionId)), { timeout: 5_000 })
  })
})

describe('pages', () => {
  it('250 connections in pages of 100: three pages, in id order, no duplicates, no gaps', async () => {
    const tenant = newTenant()
    const ids = await seed(tenant, 250)

    const { pages, all } = await listAll(tenant, 100)
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50])
    expect(all.map((summary) => summary.connectionId)).toEqual(ids)
    expect(all.every((summary) => summary.tenant === tenant && summary.status === 'connected')).toBe(true)

    // Default 100, and the maximum 1000 in one page.
    const first = await api.listConnections(tenant)
    expect(first.connections).toHaveLength(100)
    expect(first.nextCursor).not.toBeNull()
    expect(await api.listConnections(tenant, { limit: 1000 })).toEqual({ connections: all, nextCursor: null })
    // Over RPC too, with the same answer.
    const overRpc = await env.LATCHKEY_SELF.listConnections(tenant, { limit: 100, cursor: first.nextCursor })
    expect(overRpc.connections.map((summary) => summary.connectionId)).toEqual(ids.slice(100, 200))
  })

  it('a page ending exactly at the last connection says there is no next page', async () => {
    const tenant = newTenant()
    const ids = await seed(tenant, 3)
    expect(await api.listConnections(tenant, { limit: 3 })).toMatchObject({ nextCursor: null })
    const { pages } = await listAll(tenant, 2)
    expect(pages.map((page) => page.map((summary) => summary.connectionId))).toEqual([ids.slice(0, 2), ids.slice(2)])
    expect(await api.listConnections(newTenant())).toEqual({ connections: [], nextCursor: null })
  })

  it.each([
    { label: 'limit 0', options: { limit: 0 } },
    { label: 'limit 1001', options: { limit: 1001 } },
    { label: 'a fractional limit', options: { limit: 1.5 } },
    { label: 'a limit given as a string', options: { limit: '10' } },
    { label: 'a NaN limit', options: { limit: Number.NaN } },
    { label: 'a cursor that is not base64url of an id', options: { cursor: 'abc' } },
    { label: 'a cursor of something else than a connection id', options: { cursor: encodeCursor('conn_../../../../etc/passwd/x') } },
    { label: 'a padded cursor', options: { cursor: `${encodeCursor(newConnectionId())}=` } },
    { label: 'a cursor that is a number', options: { cursor: 42 } },
    { label: 'options that are not an object', options: 'first' },
  ])('answers invalid_request for $label', async ({ options }) => {
    const tenant = newTenant()
    expect(await errorCodeOf(() => api.listConnections(tenant, options as never))).toBe('invalid_request')
    expect(await errorCodeOf(() => env.LATCHKEY_SELF.listConnections(tenant, options as never))).toBe('invalid_request')
  })

  it('accepts a well-formed cursor naming an id that is not listed: the page starts after it', async () => {
    const tenant = newTenant()
    const ids = await seed(tenant, 3)
    const { connections } = await api.listConnections(tenant, { cursor: encodeCursor('conn_aaaaaaaaaaaaaaaaaaaaaaaaaa') })
    expect(connections.map((summary) => summary.connectionId)).toEqual(ids.filter((id) => id > 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa'))
  })
})

describe('tenants', () => {
  it("S14 a tenant's listing never shows another tenant's connections, whatever cursor it is given", async () => {
    const [owner, other] = [newTenant(), newTenant()]
    const owned = await seed(owner, 3)
    const others = await seed(other, 2)

    expect((await listAll(owner, 2)).all.map((summary) => summary.connectionId)).toEqual(owned)
    expect((await listAll(other)).all.map((summary) => summary.connectionId)).toEqual(others)
    const ownersCursor = (await api.listConnections(owner, { limit: 1 })).nextCursor
    const { connections } = await api.listConnections(other, { cursor: ownersCursor })
    expect(connections.every((summary) => summary.tenant === other)).toBe(true)
    expect(connections.some((summary) => owned.includes(summary.connectionId))).toBe(false)
  })
})

describe('entries stored before the directory kept summaries', () => {
  it('are read from their connection once and written back; an entry whose connection is gone is dropped', async () => {
    const tenant = newTenant()
    const [kept] = await seed(tenant, 1)
    if (kept === undefined) throw new Error('seeded one')
    const gone = newConnectionId()
    const summary = await storedSummary(kept)
    if (summary === null) throw new Error('stored')
    // The old layout: ids, connector and creation time only.
    await runInDurableObject(tenantDirectory(env, tenant), (_instance, state) => {
      state.storage.kv.put(`connection:${kept}`, { connectionId: kept, connectorKey: 'test-oauth', createdAt: summary.createdAt })
      state.storage.kv.put(`connection:${gone}`, { connectionId: gone, connectorKey: 'test-oauth', createdAt: summary.createdAt })
    })

    expect((await api.listConnections(tenant)).connections).toEqual([summary])
    expect(await directoryEntry(tenant, kept)).toEqual({ connectionId: kept, connectorKey: 'test-oauth', createdAt: summary.createdAt, summary, revision: 0 })
    expect(await directoryEntry(tenant, gone)).toBeUndefined()

    // The next change of the connection wins over the copied summary.
    const tested = await connectionObject(kept).testConnection(tenant)
    expect((await api.listConnections(tenant)).connections).toEqual([tested])
  })
})

describe('the connect page', () => {
  it('shows the first 100 connections and says there are more; a flow returning with a later one still gets its notice', async () => {
    const tenant = newTenant()
    const ids = await seed(tenant, 101)
    const visitor = pageVisitor()
    expect((await openPage(visitor, await mintPageToken(tenant, 'redirect'))).status).toBe(303)

    const { html } = await readPage(visitor)
    expect(html.match(/<li class="card">\s*<h3 class="card-title">(?:(?!<\/h3>).)*<\/h3>\s*<p class="status/g)).toHaveLength(100)
    expect(html).toContain('Showing the first 100 connections; there are more.')
    expect(html).toContain(ids[99])
    expect(html).not.toContain(ids[100])

    const returned = await readPage(visitor, `/connections?connection_id=${ids[100]}`)
    expect(returned.html).toMatch(/<p class="notice notice-success" role="status">[^<]* is connected.<\/p>/)

    await connectionObject(ids[100] ?? '').disconnect(tenant)
    expect((await readPage(visitor)).html).not.toContain('there are more')
  })
})
