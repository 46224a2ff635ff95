/**
 * Which client a discovered connection uses, as plain values (no I/O, so pure modules and Node
 * tests can import it): the identity with its secret for a token request, and the reference a
 * pending authorization or connection stores.
 */
import { isRecord } from '../is-record.ts'

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post'
export type ClientSource = 'pre-registered' | 'metadata-document' | 'dynamic'
export interface ClientIdentity {
  clientId: string
  /** null for a public client (CIMD, or `none`). */
  clientSecret: string | null
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  source: ClientSource
}
/** What a pending authorization / connection stores of its client (no secret). */
export type ClientReference = Pick<ClientIdentity, 'clientId' | 'source'>

const SOURCES: readonly unknown[] = ['pre-registered', 'metadata-document', 'dynamic'] satisfies ClientSource[]

/** Shape check of a stored `ClientReference` (storage is input too): a non-empty `clientId` and a known `source`. */
export function isClientReference(value: unknown): value is ClientReference {
  return isRecord(value) && typeof value['clientId'] === 'string' && value['clientId'] !== '' && SOURCES.includes(value['source'])
}
