/**
 * The Trello Power-Up the compat project registered (its API key is the OAuth 1.0a consumer
 * key) and what its emulator logs. A file of its own: test files in workerd import it, while
 * the emulator (trello.ts) needs Node (the `oauth-1.0a` package, node:crypto).
 */
import type { LoggedRequest } from './emulator.ts'

/** API key (consumer key) and its secret (consumer secret): Trello's are 32 and 64 hex digits. */
export const TRELLO_CONSUMER = { key: '3f9c2a51d7e84b06a1c5e9f0b2d4c6a8', secret: '8e1f4b7a2c9d6e3f0a5b8c1d4e7f2a9b6c3d0e5f8a1b4c7d2e9f6a3b0c5d8e1f' } as const

/** The signature check of one request, by the `oauth-1.0a` package: `missing` when no `Authorization: OAuth` header came. */
export type TrelloSignatureCheck = 'valid' | 'invalid' | 'missing'

/** A request as the Trello emulator logged it. */
export interface TrelloLoggedRequest extends LoggedRequest {
  /** The protocol parameters of the `Authorization: OAuth` header, percent-decoded (RFC 5849 §3.5.1); null without one. */
  oauth: Record<string, string> | null
  signature: TrelloSignatureCheck
  /** Why the request was refused, or null. */
  problem: string | null
}
