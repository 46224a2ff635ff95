/**
 * Build-time type checks of a getOAuthConfig mapping: every field written as a literal is
 * held to the rules the runtime applies to the evaluated result (src/oauth/oauth-config.ts),
 * plus the `extra` rules of the format notes: names Latchkey owns for security are refused,
 * and `extra.scope` beside a non-empty `scopes` is ambiguous.
 */
import { isRecord } from '../../src/is-record.ts'
import { isFormula, unknownKeys, uriProblem } from './literal-fields.ts'
import type { LocatedProblem } from './literal-fields.ts'

/** Fields of a getOAuthConfig result that Latchkey reads. */
export const OAUTH_CONFIG_FIELDS = [
  'clientId',
  'clientSecret',
  'authorizeUri',
  'tokenUri',
  'scopes',
  'clientAuthLocation',
  'noRefreshToken',
  'skipPkce',
  'extra',
  'issuer',
  'jwksUri',
] as const

/** Authorize-URI parameters Latchkey sets itself (CSRF, redirect and PKCE protection): `extra` may not replace them. */
export const RESERVED_EXTRA_PARAMETERS = ['state', 'redirect_uri', 'response_type', 'client_id', 'code_challenge', 'code_challenge_method'] as const

const CLIENT_AUTH_LOCATIONS = ['headers', 'body']

/** Problems with the literal fields of the raw getOAuthConfig mapping `raw` (paths relative to it). */
export function checkOAuthConfigMapping(raw: unknown): LocatedProblem[] {
  if (isFormula(raw)) return []
  if (!isRecord(raw)) return [{ path: [], target: 'value', problem: { kind: 'root_not_object', method: 'getOAuthConfig', known: OAUTH_CONFIG_FIELDS, found: raw } }]
  const problems: LocatedProblem[] = unknownKeys(raw, [], 'getOAuthConfig', OAUTH_CONFIG_FIELDS)
  const literal = (field: string): boolean => field in raw && !isFormula(raw[field])
  const at = (field: string, problem: LocatedProblem['problem']): void => {
    problems.push({ path: [field], target: 'value', problem })
  }

  for (const field of ['clientId', 'clientSecret'] as const) {
    const value = raw[field]
    // clientSecret is optional (public clients); clientId never is.
    if (!literal(field) || (value === null && field === 'clientSecret')) continue
    if (typeof value !== 'string' || value === '') at(field, { kind: 'not_string', field, found: value, nonEmpty: true })
  }
  for (const field of ['authorizeUri', 'tokenUri', 'issuer', 'jwksUri'] as const) {
    const value = raw[field]
    if (!literal(field) || (value === null && (field === 'issuer' || field === 'jwksUri'))) continue
    if (typeof value !== 'string' || value === '') {
      at(field, { kind: 'not_string', field, found: value, nonEmpty: true })
      continue
    }
    // An issuer identifier has no query (RFC 8414 section 2); endpoints may have one.
    const reason = uriProblem(value, field !== 'issuer')
    if (reason) at(field, { kind: 'bad_uri', field, found: value, reason, hint: field === 'issuer' && reason === 'query' ? ' (RFC 8414 section 2)' : '' })
  }
  for (const field of ['noRefreshToken', 'skipPkce'] as const) {
    const value = raw[field]
    if (literal(field) && value !== null && typeof value !== 'boolean') at(field, { kind: 'not_boolean', field, found: value })
  }
  const location = raw.clientAuthLocation
  if (literal('clientAuthLocation') && location !== null && !CLIENT_AUTH_LOCATIONS.includes(location as string)) {
    at('clientAuthLocation', { kind: 'not_allowed', field: 'clientAuthLocation', found: location, allowed: CLIENT_AUTH_LOCATIONS })
  }
  problems.push(...scopesProblems(raw.scopes, literal('scopes')))
  if (literal('extra')) problems.push(...extraProblems(raw.extra, hasLiteralScopes(raw.scopes)))
  return problems
}

function scopesProblems(scopes: unknown, literal: boolean): LocatedProblem[] {
  if (!literal || scopes === null || typeof scopes === 'string') return []
  if (!Array.isArray(scopes)) return [{ path: ['scopes'], target: 'value', problem: { kind: 'not_scopes', field: 'scopes', found: scopes } }]
  return scopes.flatMap((scope, index): LocatedProblem[] =>
    typeof scope === 'string' || isFormula(scope)
      ? []
      : [{ path: ['scopes', index], target: 'value', problem: { kind: 'not_string', field: `scopes[${index}]`, found: scope, nonEmpty: false } }],
  )
}

// Scopes the build can see will be sent: a non-blank string, or a list with a non-empty literal.
function hasLiteralScopes(scopes: unknown): boolean {
  if (typeof scopes === 'string') return scopes.trim() !== ''
  return Array.isArray(scopes) && scopes.some((scope) => typeof scope === 'string' && scope !== '')
}

function extraProblems(extra: unknown, scopesSet: boolean): LocatedProblem[] {
  if (extra === null) return []
  if (!isRecord(extra)) return [{ path: ['extra'], target: 'value', problem: { kind: 'not_object', field: 'extra', found: extra } }]
  const problems: LocatedProblem[] = []
  for (const [name, value] of Object.entries(extra)) {
    if ((RESERVED_EXTRA_PARAMETERS as readonly string[]).includes(name)) {
      problems.push({ path: ['extra', name], target: 'key', problem: { kind: 'reserved_extra', name, reserved: RESERVED_EXTRA_PARAMETERS } })
    } else if (name === 'scope' && scopesSet && value !== null) {
      problems.push({ path: ['extra', name], target: 'key', problem: { kind: 'scope_twice' } })
    } else if (value !== null && !isFormula(value) && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      problems.push({ path: ['extra', name], target: 'value', problem: { kind: 'not_scalar', field: `extra.${name}`, found: value } })
    }
  }
  return problems
}
