/**
 * The WWW-Authenticate parser (RFC 9110 section 11.6.1) and the Bearer challenge discovery reads
 * from it: the examples of RFC 9728 section 5.1, the MCP authorization specification, RFC 6750
 * and RFC 9110 themselves, then every malformed shape, which yields nothing rather than a guess.
 */
import { describe, expect, it } from 'vitest'
import { bearerChallenge, parseWwwAuthenticate } from '../../src/discovery/index.ts'

const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource'

describe('bearerChallenge', () => {
  it.each([
    [
      'RFC 9728 section 5.1 (its line break is only for display)',
      'Bearer resource_metadata="https://resource.example.com/.well-known/oauth-protected-resource"',
      { resourceMetadata: 'https://resource.example.com/.well-known/oauth-protected-resource', scope: null, error: null, errorDescription: null },
    ],
    [
      'the MCP 401 with scope guidance (2025-11-25, 2026-07-28)',
      `Bearer resource_metadata="${PRM}", scope="files:read"`,
      { resourceMetadata: PRM, scope: ['files:read'], error: null, errorDescription: null },
    ],
    [
      'the MCP 403 insufficient_scope (2025-11-25, 2026-07-28)',
      `Bearer error="insufficient_scope", scope="files:read files:write user:profile", resource_metadata="${PRM}", error_description="Additional file write permission required"`,
      { resourceMetadata: PRM, scope: ['files:read', 'files:write', 'user:profile'], error: 'insufficient_scope', errorDescription: 'Additional file write permission required' },
    ],
    [
      "the conformance suite's step-up challenge",
      `Bearer scope="mcp:write", resource_metadata="${PRM}/mcp", error="insufficient_scope"`,
      { resourceMetadata: `${PRM}/mcp`, scope: ['mcp:write'], error: 'insufficient_scope', errorDescription: null },
    ],
    ['RFC 6750 section 3 (realm only)', 'Bearer realm="example"', { resourceMetadata: null, scope: null, error: null, errorDescription: null }],
    [
      'RFC 6750 section 3 (expired token)',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      { resourceMetadata: null, scope: null, error: 'invalid_token', errorDescription: 'The access token expired' },
    ],
    [
      'token values, any case of scheme and names, and OWS around "="',
      `bEaReR ERROR = insufficient_scope , Resource_Metadata= "${PRM}"`,
      { resourceMetadata: PRM, scope: null, error: 'insufficient_scope', errorDescription: null },
    ],
    [
      'escapes inside a quoted string',
      'Bearer error_description="say \\"hi\\" \\\\ bye", error=invalid_token',
      { resourceMetadata: null, scope: null, error: 'invalid_token', errorDescription: 'say "hi" \\ bye' },
    ],
    [
      'the Bearer challenge after others, one with a token68 (two header lines joined by fetch)',
      `Negotiate a87421000492aa874209af8bc028, Basic realm="simple", Bearer resource_metadata="${PRM}"`,
      { resourceMetadata: PRM, scope: null, error: null, errorDescription: null },
    ],
    [
      'the first of two Bearer challenges',
      `Bearer resource_metadata="${PRM}", Bearer resource_metadata="https://other.example.com/prm"`,
      { resourceMetadata: PRM, scope: null, error: null, errorDescription: null },
    ],
    ['repeated spaces in scope', 'Bearer scope="  a   b  a "', { resourceMetadata: null, scope: ['a', 'b'], error: null, errorDescription: null }],
    ['an empty scope as no scope', 'Bearer scope=""', { resourceMetadata: null, scope: null, error: null, errorDescription: null }],
    ['a scope that is not scope tokens as no scope', 'Bearer scope="a\\"b"', { resourceMetadata: null, scope: null, error: null, errorDescription: null }],
    ['a scheme without parameters', 'Bearer', { resourceMetadata: null, scope: null, error: null, errorDescription: null }],
  ])('reads %s', (_case, header, expected) => {
    expect(bearerChallenge(header)).toEqual(expected)
  })

  it.each([
    ['no header', null],
    ['an empty header', ''],
    ['only other schemes', 'Basic realm="simple", DPoP algs="ES256"'],
    ['an unterminated quoted string', `Bearer resource_metadata="${PRM}`],
    ['a parameter repeated in one challenge', `Bearer resource_metadata="${PRM}", resource_metadata="https://evil.example.com/prm"`],
    ['a parameter without a value', 'Bearer realm=, error="invalid_token"'],
    ['a scheme glued to a parameter', 'Bearer,realm="x"=y'],
    ['text after a token68', 'Basic abc def, Bearer realm="x"'],
    ['a control character in a quoted string', 'Bearer realm="a\u0001b"'],
    ['a field longer than 8 KiB', `Bearer realm="${'x'.repeat(8 * 1024)}"`],
  ])('finds no challenge in %s', (_case, header) => {
    expect(bearerChallenge(header)).toBeNull()
  })
})

describe('parseWwwAuthenticate', () => {
  it('parses the RFC 9110 section 11.6.1 example into two challenges, escapes removed', () => {
    const challenges = parseWwwAuthenticate('Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""')
    expect(challenges?.map((challenge) => [challenge.scheme, challenge.token68, Object.fromEntries(challenge.params)])).toEqual([
      ['basic', null, { realm: 'simple' }],
      ['newauth', null, { realm: 'apps', type: '1', title: 'Login to "apps"' }],
    ])
  })

  it.each([
    ['a token68 with padding', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l==', 'YWxhZGRpbjpvcGVuc2VzYW1l=='],
    ['a token68 that looks like name=', 'Negotiate abc=', 'abc='],
  ])('keeps %s as the token68', (_case, header, token68) => {
    expect(parseWwwAuthenticate(header)?.[0]?.token68).toBe(token68)
  })

  it('skips empty list elements', () => {
    expect(parseWwwAuthenticate(' , Bearer realm="a" ,, Basic ,')?.map((challenge) => challenge.scheme)).toEqual(['bearer', 'basic'])
  })

  it('keeps a parameter named __proto__ as data', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x"') ?? []
    expect(challenge?.params.get('__proto__')).toBe('x')
  })
})
