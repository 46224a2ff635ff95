/**
 * The issuer's discovery document as Latchkey reads it (S6 iss promise, S17 keys): exact
 * issuer, allowed jwks_uri only, and a size limit on the body (S18).
 */
import { describe, expect, it } from 'vitest'
import { MAX_DISCOVERY_DOCUMENT_BYTES, processIssuerMetadata } from '../../src/oauth/issuer-metadata.ts'

const ISSUER = 'https://auth.example'

function document(body: unknown, status = 200): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('processIssuerMetadata', () => {
  it('reads jwks_uri and whether the issuer promises iss in authorization responses', async () => {
    expect(await processIssuerMetadata(document({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks`, authorization_response_iss_parameter_supported: true }), ISSUER, false)).toEqual({
      ok: true,
      metadata: { jwksUri: `${ISSUER}/jwks`, issParameterSupported: true },
    })
  })

  it.each([
    ['absent', {}],
    ['false', { authorization_response_iss_parameter_supported: false }],
    ['the string "true"', { authorization_response_iss_parameter_supported: 'true' }],
  ])('does not count the iss promise as made when it is %s', async (_case, fields) => {
    const result = await processIssuerMetadata(document({ issuer: ISSUER, ...fields }), ISSUER, false)
    expect(result).toEqual({ ok: true, metadata: { jwksUri: null, issParameterSupported: false } })
  })

  it.each([
    ['http on a public host', 'http://auth.example/jwks', true],
    ['http on loopback without the setting', 'http://127.0.0.1:9/jwks', false],
    ['not a URL', 'jwks', true],
    ['not a string', 42, true],
  ])('S10 ignores a jwks_uri that is %s', async (_case, jwksUri, allowInsecureLoopback) => {
    const result = await processIssuerMetadata(document({ issuer: ISSUER, jwks_uri: jwksUri }), ISSUER, allowInsecureLoopback)
    expect(result.ok && result.metadata.jwksUri).toBeNull()
  })

  it.each([
    ['a 404', document({ issuer: ISSUER }, 404)],
    ['a redirect', new Response(null, { status: 302, headers: { Location: 'https://elsewhere.example' } })],
    ['another issuer', document({ issuer: 'https://other.example' })],
    ['the issuer with a trailing slash', document({ issuer: `${ISSUER}/` })],
    ['not JSON', document('<html></html>')],
    ['a JSON array', document([{ issuer: ISSUER }])],
    ['a body over the size limit', document({ issuer: ISSUER, padding: 'x'.repeat(MAX_DISCOVERY_DOCUMENT_BYTES) })],
  ])('S18 refuses %s', async (_case, response) => {
    expect((await processIssuerMetadata(response, ISSUER, false)).ok).toBe(false)
  })
})
