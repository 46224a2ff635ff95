/**
 * A resource's answer asking for more scopes (RFC 6750 section 3.1, MCP "Step-Up Authorization
 * Flow"): 403 with a Bearer challenge whose `error` is `insufficient_scope`.
 */
import { bearerChallenge } from './www-authenticate.ts'

/** The scopes `response` asks for when it is a 403 insufficient_scope challenge (empty when it names none), else null. */
export function insufficientScopeOf(response: Response): string[] | null {
  if (response.status !== 403) return null
  const challenge = bearerChallenge(response.headers.get('WWW-Authenticate'))
  if (challenge === null || challenge.error !== 'insufficient_scope') return null
  return challenge.scope ?? []
}
