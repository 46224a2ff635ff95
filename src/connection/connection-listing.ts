/**
 * `listConnections`: a page of the tenant's connection summaries, read from the tenant
 * directory (tenant-directory.ts) in one call, ordered by connection id. No connection object
 * is called, except once for each entry stored before the directory kept summaries (the
 * lazy migration: its summary is read from the connection and written back).
 */
import { LatchkeyError } from '../errors.ts'
import { isConnectionId } from '../connection-id.ts'
import type { ConnectionSummary } from './connection-record.ts'
import { connectionStub, notFoundAsNull } from './connection-stub.ts'
import { MAX_DIRECTORY_PAGE, tenantDirectory, type TenantDirectoryPage } from './tenant-directory.ts'

/** Page size when the caller names none. */
export const DEFAULT_CONNECTION_PAGE = 100
/** Largest page a caller may ask for. */
export const MAX_CONNECTION_PAGE = MAX_DIRECTORY_PAGE

/** Options of `listConnections`. */
export interface ListConnectionsOptions {
  /** `nextCursor` of the previous page; absent or `null` for the first page. */
  cursor?: string | null
  /** Connections per page: an integer from 1 to 1000, 100 when absent. */
  limit?: number
}

/** A page of `listConnections`. */
export interface ConnectionPage {
  /** Ordered by connection id. */
  connections: ConnectionSummary[]
  /** Pass it as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null
}

/** Cursors are base64url (no padding) of the last connection id of their page: 31 bytes, 42 characters. */
const CURSOR = /^[A-Za-z0-9_-]{42}$/

/** The page of `tenant` (already checked) that `options` asks for. */
export async function listConnectionPage(env: Env, tenant: string, options: unknown): Promise<ConnectionPage> {
  const { after, limit } = readListOptions(options)
  const directory = tenantDirectory(env, tenant)
  const page = await directory.listPage(after, limit)
  const connections = await summariesOf(env, tenant, page.entries, (found, missing) => directory.backfillSummaries(found, missing))
  const last = page.entries.at(-1)
  return { connections, nextCursor: page.more && last !== undefined ? encodeCursor(last.connectionId) : null }
}

/** Checks what the caller passed: `invalid_request` for anything but the documented shape. */
export function readListOptions(options: unknown): { after: string | null; limit: number } {
  if (options === undefined || options === null) return { after: null, limit: DEFAULT_CONNECTION_PAGE }
  if (typeof options !== 'object' || Array.isArray(options)) throw new LatchkeyError('invalid_request', 'Pass listConnections options as {cursor?, limit?}.')
  const { cursor, limit } = options as Record<string, unknown>
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_CONNECTION_PAGE)) {
    throw new LatchkeyError('invalid_request', `limit must be an integer from 1 to ${MAX_CONNECTION_PAGE}.`)
  }
  return { after: cursor === undefined || cursor === null ? null : decodeCursor(cursor), limit: limit ?? DEFAULT_CONNECTION_PAGE }
}

/** The cursor of a page that ended at `connectionId`. */
export function encodeCursor(connectionId: string): string {
  return btoa(connectionId).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The connection id a cursor names; `invalid_request` for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: unknown): string {
  const invalid = new LatchkeyError('invalid_request', 'cursor must be the nextCursor of a previous page.')
  if (typeof cursor !== 'string' || !CURSOR.test(cursor)) throw invalid
  let decoded: string
  try {
    decoded = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
  } catch {
    throw invalid
  }
  if (!isConnectionId(decoded) || encodeCursor(decoded) !== cursor) throw invalid
  return decoded
}

/**
 * The summaries of `entries`, in their order. Entries without one (stored before summaries
 * were kept) are read from their connection and written back in one call; one whose
 * connection is gone is left out (and dropped from the directory).
 */
async function summariesOf(
  env: Env,
  tenant: string,
  entries: TenantDirectoryPage['entries'],
  backfill: (found: ConnectionSummary[], missing: string[]) => Promise<void>,
): Promise<ConnectionSummary[]> {
  const old = entries.filter((entry) => entry.summary === null)
  const read = new Map<string, ConnectionSummary | null>()
  if (old.length > 0) {
    const summaries = await Promise.all(old.map((entry) => connectionStub(env, entry.connectionId).getSummary(tenant).catch(notFoundAsNull)))
    for (const [index, entry] of old.entries()) read.set(entry.connectionId, summaries[index] ?? null)
    const found = [...read.values()].filter((summary) => summary !== null)
    const missing = [...read].flatMap(([connectionId, summary]) => (summary === null ? [connectionId] : []))
    await backfill(found, missing)
  }
  return entries.flatMap((entry) => {
    const summary = entry.summary ?? read.get(entry.connectionId) ?? null
    return summary === null || summary.tenant !== tenant ? [] : [summary]
  })
}
