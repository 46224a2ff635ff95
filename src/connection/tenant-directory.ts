/**
 * One Durable Object per tenant (`TENANT_DIRECTORIES.idFromName(tenant)`): the index of the
 * tenant's connections behind `listConnections`. Connection objects add themselves when they
 * are created and remove themselves when they are deleted, and wait for it, so the index is
 * up to date when those calls return. It holds ids only; status comes from each connection.
 */
import { DurableObject } from 'cloudflare:workers'

/** One connection of the tenant. */
export interface TenantDirectoryEntry {
  connectionId: string
  connectorKey: string
  createdAt: number
}

const ENTRY_PREFIX = 'connection:'

export class TenantDirectory extends DurableObject<Env> {
  /** Adds or replaces the entry of a connection (idempotent). */
  addConnection(entry: TenantDirectoryEntry): void {
    this.ctx.storage.kv.put(`${ENTRY_PREFIX}${entry.connectionId}`, {
      connectionId: entry.connectionId,
      connectorKey: entry.connectorKey,
      createdAt: entry.createdAt,
    } satisfies TenantDirectoryEntry)
  }

  /** Removes a connection's entry (idempotent). */
  removeConnection(connectionId: string): void {
    this.ctx.storage.kv.delete(`${ENTRY_PREFIX}${connectionId}`)
  }

  /** Every entry, ordered by connection id. */
  listConnections(): TenantDirectoryEntry[] {
    return Array.from(this.ctx.storage.kv.list<TenantDirectoryEntry>({ prefix: ENTRY_PREFIX }), ([, entry]) => entry)
  }
}

/** The directory object of `tenant`. */
export function tenantDirectory(env: Env, tenant: string): DurableObjectStub<TenantDirectory> {
  return env.TENANT_DIRECTORIES.get(env.TENANT_DIRECTORIES.idFromName(tenant))
}
