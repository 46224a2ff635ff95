/**
 * The OAuth2 configuration of a connector: evaluates its getOAuthConfig (mapping or
 * JavaScript) and validates the result, so every later step works with checked values.
 * Latchkey extensions of getOAuthConfig: `issuer` (the authorization server's issuer
 * identifier, enables the RFC 9207 `iss` check and id_token validation; an endpoint like the
 * others, since discovery is fetched from it) and `jwksUri`
 * (where its signing keys are; default: discovered from `${issuer}/.well-known/openid-configuration`).
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { isLoopbackHost } from '../loopback-host.ts'
import type { ConnectorContext } from '../registry/connector-context.ts'
import { connectorParameterVariable } from '../registry/connector-parameters.ts'
import { runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'

/** A validated getOAuthConfig result. */
export interface OAuthConfig {
  clientId: string
  clientSecret?: string
  authorizeUri: string
  tokenUri: string
  scopes: string[]
  /** `headers` = HTTP Basic, `body` = form fields, undefined = both (the seed's default). */
  clientAuthLocation?: 'headers' | 'body'
  noRefreshToken: boolean
  skipPkce: boolean
  /** Additional authorize-URI query parameters (`scope` only when `scopes` is empty). */
  extra: Record<string, string>
  /** Issuer identifier (Latchkey extension, RFC 9207 / OIDC). */
  issuer?: string
  /** JWKS location for id_token signatures (Latchkey extension). */
  jwksUri?: string
  /**
   * The RFC 8707 `resource` of the authorization and every token request: set only for
   * discovered connections (discovered-authorization.ts), whose tokens are bound to the resource.
   */
  resource?: string
}

/** What getOAuthConfig receives: the connector context plus the redirect URI and, when a flow starts, its state. */
export type OAuthConfigArguments = ConnectorContext & { redirectUri: string; state?: string }

/**
 * Evaluates the connector's getOAuthConfig with `args` (build them with `connectorContext`),
 * then validates the result. Throws `connector_misconfigured` naming the field (and the Worker
 * variable when a connector parameter is missing). Endpoints must be https; http only for
 * loopback hosts when `settings.allowInsecureLoopback` (S10).
 */
export async function resolveOAuthConfig(connector: CompiledConnector, settings: Settings, args: OAuthConfigArguments): Promise<OAuthConfig> {
  const raw = await runMethod(connector, 'getOAuthConfig', args)
  return validateOAuthConfig(raw, {
    connectorKey: connector.key,
    connectorParameters: args.connectorParameters,
    allowInsecureLoopback: settings.allowInsecureLoopback,
  })
}

/** Context for messages and the S10 rule. */
export interface OAuthConfigContext {
  connectorKey: string
  connectorParameters: Record<string, unknown>
  allowInsecureLoopback: boolean
}

/** Validates a raw getOAuthConfig result (pure). */
export function validateOAuthConfig(raw: unknown, context: OAuthConfigContext): OAuthConfig {
  const fail = (message: string): LatchkeyError => new LatchkeyError('connector_misconfigured', `getOAuthConfig of connector "${context.connectorKey}" ${message}`)
  if (!isRecord(raw)) throw fail('must return an object.')

  const clientId = raw['clientId']
  if (typeof clientId !== 'string' || clientId === '') {
    throw fail(`returned no clientId${parameterHint(context, 'clientId')}.`)
  }
  const clientSecret = raw['clientSecret']
  if (clientSecret !== undefined && clientSecret !== null && typeof clientSecret !== 'string') {
    throw fail('returned a clientSecret that is not a string.')
  }

  const config: OAuthConfig = {
    clientId,
    authorizeUri: endpoint(raw['authorizeUri'], 'authorizeUri', context, fail),
    tokenUri: endpoint(raw['tokenUri'], 'tokenUri', context, fail),
    scopes: scopes(raw['scopes'], fail),
    noRefreshToken: flag(raw['noRefreshToken'], 'noRefreshToken', fail),
    skipPkce: flag(raw['skipPkce'], 'skipPkce', fail),
    extra: extra(raw['extra'], fail),
  }
  if (typeof clientSecret === 'string' && clientSecret !== '') config.clientSecret = clientSecret
  if (config.extra['scope'] !== undefined && config.scopes.length > 0) {
    throw fail('returned both scopes and extra.scope: set one (extra.scope is for providers that want the scope parameter written their own way, e.g. comma-separated).')
  }

  const location = raw['clientAuthLocation']
  if (location === 'headers' || location === 'body') config.clientAuthLocation = location
  else if (location !== undefined && location !== null) throw fail('returned clientAuthLocation other than "headers" or "body".')

  const issuer = raw['issuer']
  if (issuer !== undefined && issuer !== null) {
    // Discovery is fetched from the issuer, so it follows the endpoint rule (S10); an issuer
    // identifier has no query either (RFC 8414 section 2).
    config.issuer = endpoint(issuer, 'issuer', context, fail)
    if (new URL(config.issuer).search !== '') throw fail('returned an issuer with a query (RFC 8414 section 2).')
  }
  const jwksUri = raw['jwksUri']
  if (jwksUri !== undefined && jwksUri !== null) config.jwksUri = endpoint(jwksUri, 'jwksUri', context, fail)
  return config
}

/**
 * Whether `value` may be used as an endpoint (S10): an absolute https URL without credentials
 * or fragment; http only for loopback hosts when `allowInsecureLoopback`.
 */
export function isAllowedEndpoint(value: string, allowInsecureLoopback: boolean): boolean {
  return endpointProblem(value, 'endpoint', allowInsecureLoopback) === null
}

function endpoint(value: unknown, field: string, context: OAuthConfigContext, fail: (message: string) => LatchkeyError): string {
  if (typeof value !== 'string' || value === '') throw fail(`returned no ${field}.`)
  const problem = endpointProblem(value, field, context.allowInsecureLoopback)
  if (problem !== null) throw fail(`returned ${problem}`)
  return value
}

/** Why `value` is not an allowed endpoint, as the end of a message about `field`, or null. */
function endpointProblem(value: string, field: string, allowInsecureLoopback: boolean): string | null {
  const url = parseUrl(value)
  if (url === null) return `a ${field} that is not an absolute URL.`
  if (url.hash !== '' || value.includes('#')) return `a ${field} with a fragment (RFC 6749 section 3.1).`
  if (url.username !== '' || url.password !== '') return `a ${field} with credentials in it.`
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    if (allowInsecureLoopback) return null
    return `an http:// ${field}; http is allowed only for loopback hosts with ALLOW_INSECURE_LOOPBACK="true" (S10).`
  }
  return `a ${field} that is not https:// (S10).`
}

function scopes(value: unknown, fail: (message: string) => LatchkeyError): string[] {
  if (value === undefined || value === null) return []
  // A space-separated string is common in env vars (GOOGLE__SCOPES="openid email").
  const list = typeof value === 'string' ? value.split(' ') : value
  if (!Array.isArray(list) || !list.every((scope) => typeof scope === 'string')) {
    throw fail('returned scopes that are not an array of strings.')
  }
  return list.filter((scope) => scope !== '')
}

function flag(value: unknown, field: string, fail: (message: string) => LatchkeyError): boolean {
  if (value === undefined || value === null) return false
  if (typeof value !== 'boolean') throw fail(`returned ${field} that is not a boolean.`)
  return value
}

function extra(value: unknown, fail: (message: string) => LatchkeyError): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (!isRecord(value)) throw fail('returned extra that is not an object.')
  const result: Record<string, string> = {}
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw fail(`returned extra.${name} that is not a string, number or boolean.`)
    }
    result[name] = String(item)
  }
  return result
}

function parameterHint(context: OAuthConfigContext, parameter: string): string {
  if (context.connectorParameters[parameter] !== undefined) return ''
  return ` (set the Worker variable ${connectorParameterVariable(context.connectorKey, parameter)})`
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value)
  } catch {
    return null
  }
}
