/**
 * Trust boundary: OpenID Connect id_tokens (S17). When `openid` was requested and the
 * connector declares its issuer, the id_token's signature (the issuer's JWKS), `iss`, `aud`
 * and `exp` are checked with jose before anything is stored; an id_token from a refresh must
 * also name the same issuer and subject as the one stored at authorization (OIDC Core 12.2).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import { LatchkeyError } from '../errors.ts'
import { isLoopbackHost } from './oauth-config.ts'

/** Asymmetric algorithms only: an HS-signed id_token would need the client secret as key. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const DISCOVERY_TIMEOUT_MS = 10_000

/** What an id_token must match. `jwksUri` null = discover it from the issuer. */
export interface IdTokenExpectations {
  issuer: string
  clientId: string
  jwksUri: string | null
  allowInsecureLoopback: boolean
}

/**
 * Verifies an id_token (OpenID Connect Core 3.1.3.7): signature by a key of the issuer's JWKS,
 * `iss` = issuer, `aud` contains clientId, `exp` in the future (`now` in ms). Returns its
 * claims. Throws `invalid_id_token`.
 */
export async function validateIdToken(idToken: string, expected: IdTokenExpectations, now: number): Promise<JWTPayload> {
  const jwksUri = expected.jwksUri ?? (await discoverJwksUri(expected))
  try {
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(jwksUri)), {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: ID_TOKEN_ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: new Date(now),
      clockTolerance: 30,
    })
    return payload
  } catch (error) {
    throw new LatchkeyError('invalid_id_token', `The id_token from ${expected.issuer} was refused (${joseCode(error)}).`, { cause: error })
  }
}

/**
 * Verifies an id_token from a refresh response (OpenID Connect Core 12.2): everything
 * `validateIdToken` checks, and the same `iss` and `sub` as `original`, the id_token stored
 * when the user authorized (validated then). Throws `invalid_id_token`.
 */
export async function validateRefreshedIdToken(idToken: string, original: string, expected: IdTokenExpectations, now: number): Promise<void> {
  const claims = await validateIdToken(idToken, expected, now)
  let originalClaims: JWTPayload
  try {
    originalClaims = decodeJwt(original)
  } catch (error) {
    throw new LatchkeyError('invalid_id_token', 'The stored id_token cannot be read, so a refreshed one cannot be compared with it: reconnect the connection.', { cause: error })
  }
  if (claims.iss !== originalClaims.iss || claims.sub !== originalClaims.sub) {
    throw new LatchkeyError('invalid_id_token', `The id_token from ${expected.issuer} in the refresh response names another issuer or subject than the one the user authorized.`)
  }
}

/** `jwks_uri` from `${issuer}/.well-known/openid-configuration`, whose `issuer` must match exactly. */
async function discoverJwksUri(expected: IdTokenExpectations): Promise<string> {
  const refuse = (why: string): LatchkeyError =>
    new LatchkeyError('invalid_id_token', `Cannot validate the id_token: the discovery document of ${expected.issuer} ${why}. Set jwksUri in getOAuthConfig.`)
  let metadata: unknown
  try {
    const response = await fetch(`${expected.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    })
    if (!response.ok) throw refuse(`answered HTTP ${response.status}`)
    metadata = await response.json()
  } catch (error) {
    if (error instanceof LatchkeyError) throw error
    throw refuse('could not be read')
  }
  const fields = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {}
  if (fields['issuer'] !== expected.issuer) throw refuse('names another issuer')
  const jwksUri = fields['jwks_uri']
  if (typeof jwksUri !== 'string' || !isAllowedEndpoint(jwksUri, expected.allowInsecureLoopback)) throw refuse('has no usable https jwks_uri')
  return jwksUri
}

function isAllowedEndpoint(value: string, allowInsecureLoopback: boolean): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureLoopback && isLoopbackHost(url.hostname))
  } catch {
    return false
  }
}

function joseCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'malformed id_token'
}
