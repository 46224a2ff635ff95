/**
 * Trust boundary: connect tokens (S15), the application's proof that a browser may start a
 * connection. A JWT signed with HS256 and `CONNECT_TOKEN_SECRET`, verified with `jose` with the
 * algorithm pinned (so `none` and HS/RS confusion are refused).
 *
 * Claims:
 *   sub            required  the tenant (end user or account) the connection belongs to
 *   exp            required  expiry; at most 1 hour ahead
 *   iat, nbf       optional  standard JWT times
 *   jti            optional  when present the token connects once: it may start several flows, but only
 *                            the first to complete connects (flow-claim.ts; every Latchkey-issued URL has one)
 *   connector      optional  the only connector key this token may start
 *   input          optional  connection input object (validated against the connector's inputSchema)
 *   return_url     optional  where to send the user afterwards (must be on ALLOWED_RETURN_ORIGINS)
 *   connection_id  optional  an existing connection of the same tenant and connector to reconnect
 *   auth_option    optional  for a connector with several ways to connect (`auth.options`): which one
 *   mode           optional  "redirect" (default) or "popup"
 *   name           optional  who the tenant is, as the person knows it ("Alice <alice@example.com>"),
 *                            shown before the provider is opened (S21, display-name.ts)
 */
import { jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { isConnectionId } from '../connection-id.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { displayNameProblem } from './display-name.ts'
import type { FlowMode } from './pending-authorization.ts'

/** What a verified connect token asks for. */
export interface ConnectRequest {
  tenant: string
  expiresAt: number
  tokenId: string | null
  connectorKey: string | null
  connectionInput: Record<string, unknown>
  returnUrl: string | null
  connectionId: string | null
  /** The connector's auth option (connectors with `options`), or null. */
  authOption: string | null
  mode: FlowMode
  /** The tenant's display name (`name` claim), or null. */
  displayName: string | null
}

/** Longest lifetime of a connect token. */
export const MAX_CONNECT_TOKEN_LIFETIME_S = 3600
/** Longest connect token accepted (S18). */
export const MAX_CONNECT_TOKEN_LENGTH = 8192
/** Clock skew tolerated on exp/nbf/iat: a token starts flows until 30 s past its exp. */
export const CLOCK_TOLERANCE_S = 30
const MIN_SECRET_BYTES = 32

/**
 * The key connect and page tokens are signed with: `CONNECT_TOKEN_SECRET` as configured (the
 * application signs with it too). Throws `server_misconfigured` when it is missing or short.
 * Latchkey's own uses take it through `signingKey` (signing-keys.ts).
 */
export function connectTokenKey(secret: string | undefined): Uint8Array {
  const key = new TextEncoder().encode(secret ?? '')
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new LatchkeyError('server_misconfigured', `Set the Worker secret CONNECT_TOKEN_SECRET to at least ${MIN_SECRET_BYTES} random bytes.`)
  }
  return key
}

/**
 * Verifies a connect token with `key` (`signingKey(secret, 'connect-token')`) and reads its
 * claims; `now` in ms. Throws `invalid_connect_token` (the message says which rule failed,
 * never echoes the token).
 */
export async function verifyConnectToken(token: string, key: CryptoKey, now: number): Promise<ConnectRequest> {
  const refuse = (why: string): LatchkeyError => new LatchkeyError('invalid_connect_token', `The connect token ${why}.`)
  if (token.length > MAX_CONNECT_TOKEN_LENGTH) throw refuse(`is longer than ${MAX_CONNECT_TOKEN_LENGTH} characters`)
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(now),
      clockTolerance: CLOCK_TOLERANCE_S,
    }))
  } catch (error) {
    throw refuse(`was refused (${describeJoseError(error)}); mint it with HS256 and CONNECT_TOKEN_SECRET, with sub and exp`)
  }
  return readClaims(payload, now, refuse)
}

/** Mints a connect token (Latchkey's own one-time URLs use it; applications may do the same). */
export async function signConnectToken(key: CryptoKey, claims: Record<string, unknown> & { sub: string; exp: number }): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key)
}

function readClaims(payload: JWTPayload, now: number, refuse: (why: string) => LatchkeyError): ConnectRequest {
  const { sub, exp, jti } = payload
  if (typeof sub !== 'string' || sub === '' || sub.length > 256) throw refuse('has a sub that is not a tenant id of 1 to 256 characters')
  if (typeof exp !== 'number' || exp * 1000 > now + (MAX_CONNECT_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S) * 1000) {
    throw refuse(`expires more than ${MAX_CONNECT_TOKEN_LIFETIME_S} seconds ahead`)
  }
  if (jti !== undefined && (typeof jti !== 'string' || jti === '' || jti.length > 128)) throw refuse('has an invalid jti')

  const connector = optionalString(payload['connector'], 'connector', refuse)
  const returnUrl = optionalString(payload['return_url'], 'return_url', refuse)
  const connectionId = optionalString(payload['connection_id'], 'connection_id', refuse)
  if (connectionId !== null && !isConnectionId(connectionId)) throw refuse('has a connection_id that is not a Latchkey connection id')
  const input = payload['input'] ?? {}
  if (!isRecord(input)) throw refuse('has an input claim that is not an object')
  const authOption = optionalString(payload['auth_option'], 'auth_option', refuse)
  if (authOption !== null && authOption.length > 64) throw refuse('has an auth_option longer than 64 characters')
  const mode = payload['mode'] ?? 'redirect'
  if (mode !== 'redirect' && mode !== 'popup') throw refuse('has a mode other than "redirect" or "popup"')
  const name = payload['name'] ?? null
  const nameProblem = name === null ? null : displayNameProblem(name)
  if (nameProblem !== null) throw refuse(`has a name claim that ${nameProblem}`)

  return {
    tenant: sub,
    expiresAt: exp * 1000,
    tokenId: jti ?? null,
    connectorKey: connector,
    connectionInput: input,
    returnUrl,
    connectionId,
    authOption,
    mode,
    displayName: name as string | null,
  }
}

function optionalString(value: unknown, claim: string, refuse: (why: string) => LatchkeyError): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || value === '') throw refuse(`has a ${claim} claim that is not a non-empty string`)
  return value
}

/** jose's error code (e.g. ERR_JWT_EXPIRED), which names the failed rule without quoting the token. */
function describeJoseError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'malformed token'
}
