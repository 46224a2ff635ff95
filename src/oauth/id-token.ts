/**
 * Trust boundary: OpenID Connect id_tokens (S17). An id_token is stored only after its
 * signature (a key of the issuer's JWKS), `iss`, `aud` and `exp` were checked with jose; an
 * id_token from a refresh must also name the same issuer and subject as the one stored at
 * authorization (OIDC Core 12.2). Where the keys are comes from the connector (`jwksUri`) or
 * the issuer's discovery document (`resolveJwksUri`).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import { LatchkeyError } from '../errors.ts'
import type { IssuerMetadataResult } from './issuer-metadata.ts'

/** Asymmetric algorithms only: an HS-signed id_token would need the client secret as key. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']

/** What an id_token must match, and where the issuer's keys are. */
export interface IdTokenExpectations {
  issuer: string
  clientId: string
  jwksUri: string
}

/**
 * The JWKS location: the connector's `jwksUri` when it declares one, else `jwks_uri` from the
 * issuer's discovery document, read through `metadata` (so a caller that needs the document
 * for more than this fetches it once; see `fetchIssuerMetadata`). Throws `invalid_id_token`
 * when there is none to use.
 */
export async function resolveJwksUri(issuer: string, declared: string | null, metadata: () => Promise<IssuerMetadataResult>): Promise<string> {
  if (declared !== null) return declared
  const result = await metadata()
  const refuse = (why: string): LatchkeyError =>
    new LatchkeyError('invalid_id_token', `Cannot validate the id_token: the discovery document of ${issuer} ${why}. Set jwksUri in getOAuthConfig.`)
  if (!result.ok) throw refuse(result.reason)
  if (result.metadata.jwksUri === null) throw refuse('has no usable https jwks_uri')
  return result.metadata.jwksUri
}

/**
 * Verifies an id_token (OpenID Connect Core 3.1.3.7): signature by a key of the JWKS at
 * `jwksUri`, `iss` = issuer, `aud` contains clientId, `exp` in the future (`now` in ms).
 * Returns its claims. Throws `invalid_id_token`.
 */
export async function validateIdToken(idToken: string, expected: IdTokenExpectations, now: number): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(expected.jwksUri)), {
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

function joseCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'malformed id_token'
}
