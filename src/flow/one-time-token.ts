/**
 * The one-time connect token a flow was started with (S15), as its pending record remembers
 * it: the token's `jti` is claimed when the flow completes (flow-claim.ts), not at the start,
 * so a link scanner's GET does not burn the URL.
 */
import { isRecord } from '../is-record.ts'
import type { ConnectRequest } from './connect-token.ts'

/** The `jti` and `exp` (ms) of the connect token a flow was started with. */
export interface OneTimeToken {
  id: string
  expiresAt: number
}

/** The token of a verified connect request to remember in its pending record, or null when it may be used repeatedly (no `jti`). */
export function oneTimeTokenOf(request: ConnectRequest): OneTimeToken | null {
  return request.tokenId === null ? null : { id: request.tokenId, expiresAt: request.expiresAt }
}

/** Shape check of a record's `connectToken` field: absent (a record stored before this field), null, or a token. */
export function isOneTimeTokenField(value: unknown): value is OneTimeToken | null | undefined {
  if (value === undefined || value === null) return true
  return isRecord(value) && typeof value['id'] === 'string' && value['id'] !== '' && typeof value['expiresAt'] === 'number'
}
