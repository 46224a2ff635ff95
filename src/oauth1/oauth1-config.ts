/**
 * The OAuth 1.0a configuration of an `auth.type: oauth1` connector: evaluates its
 * getOAuthConfig (mapping or JavaScript) and validates every field, so the token requests and
 * the signer only see checked values. Fields (connector-format.md, "Other auth types"):
 * consumerKey, consumerSecret, requestTokenUri, authorizeUri, tokenUri, signatureMethod
 * (default HMAC-SHA1), extra (query parameters of the authorize URL).
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { isAllowedEndpoint } from '../oauth/oauth-config.ts'
import type { ConnectorContext } from '../registry/connector-context.ts'
import { connectorParameterVariable } from '../registry/connector-parameters.ts'
import { runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { SIGNATURE_METHODS, type OAuth1SignatureMethod } from './signature.ts'

/** A validated getOAuthConfig result of an oauth1 connector. */
export interface OAuth1Config {
  consumerKey: string
  consumerSecret: string
  /** Temporary-credentials endpoint (RFC 5849 section 2.1). */
  requestTokenUri: string
  /** Resource-owner authorization endpoint (section 2.2). */
  authorizeUri: string
  /** Token-credentials endpoint (section 2.3). */
  tokenUri: string
  signatureMethod: OAuth1SignatureMethod
  /** Extra query parameters of the authorize URL (e.g. Trello's `scope`, `expiration`, `name`). */
  extra: Record<string, string>
}

/** What getOAuthConfig receives: the connector context plus the one redirect URI (the `oauth_callback`). */
export type OAuth1ConfigArguments = ConnectorContext & { redirectUri: string }

/**
 * Evaluates the connector's getOAuthConfig with `args` and validates the result. Throws
 * `connector_misconfigured` naming the field (and the Worker variable when a connector
 * parameter is missing). Endpoints must be https; http only for loopback hosts when
 * `settings.allowInsecureLoopback` (S10).
 */
export async function resolveOAuth1Config(connector: CompiledConnector, settings: Settings, args: OAuth1ConfigArguments): Promise<OAuth1Config> {
  const raw = await runMethod(connector, 'getOAuthConfig', args)
  return validateOAuth1Config(raw, {
    connectorKey: connector.key,
    connectorParameters: args.connectorParameters,
    allowInsecureLoopback: settings.allowInsecureLoopback,
  })
}

/** Context for messages and the S10 rule. */
export interface OAuth1ConfigContext {
  connectorKey: string
  connectorParameters: Record<string, unknown>
  allowInsecureLoopback: boolean
}

/** Validates a raw getOAuthConfig result of an oauth1 connector (pure). Never quotes a value: the secret is one. */
export function validateOAuth1Config(raw: unknown, context: OAuth1ConfigContext): OAuth1Config {
  const fail = (message: string): LatchkeyError => new LatchkeyError('connector_misconfigured', `getOAuthConfig of connector "${context.connectorKey}" ${message}`)
  if (!isRecord(raw)) throw fail('must return an object.')
  return {
    consumerKey: credential(raw, 'consumerKey', context, fail),
    consumerSecret: credential(raw, 'consumerSecret', context, fail),
    requestTokenUri: endpoint(raw['requestTokenUri'], 'requestTokenUri', context, fail),
    authorizeUri: endpoint(raw['authorizeUri'], 'authorizeUri', context, fail),
    tokenUri: endpoint(raw['tokenUri'], 'tokenUri', context, fail),
    signatureMethod: signatureMethod(raw['signatureMethod'], fail),
    extra: extra(raw['extra'], fail),
  }
}

function credential(raw: Record<string, unknown>, field: 'consumerKey' | 'consumerSecret', context: OAuth1ConfigContext, fail: (message: string) => LatchkeyError): string {
  const value = raw[field]
  if (typeof value === 'string' && value !== '') return value
  if (value !== undefined && value !== null && typeof value !== 'string') throw fail(`returned a ${field} that is not a string.`)
  const hint = context.connectorParameters[field] === undefined ? ` (set the Worker variable ${connectorParameterVariable(context.connectorKey, field)})` : ''
  throw fail(`returned no ${field}${hint}.`)
}

function endpoint(value: unknown, field: string, context: OAuth1ConfigContext, fail: (message: string) => LatchkeyError): string {
  if (typeof value !== 'string' || value === '') throw fail(`returned no ${field}.`)
  if (!isAllowedEndpoint(value, context.allowInsecureLoopback)) {
    throw fail(`returned a ${field} that is not an absolute https:// URL without credentials or fragment (http only for loopback hosts with ALLOW_INSECURE_LOOPBACK="true", S10).`)
  }
  return value
}

function signatureMethod(value: unknown, fail: (message: string) => LatchkeyError): OAuth1SignatureMethod {
  if (value === undefined || value === null) return 'HMAC-SHA1'
  const method = SIGNATURE_METHODS.find((candidate) => candidate === value)
  if (method === undefined) throw fail(`returned a signatureMethod other than ${SIGNATURE_METHODS.join(', ')}.`)
  return method
}

/** Query parameters the authorize URL carries besides `oauth_token`, which Latchkey sets itself. */
function extra(value: unknown, fail: (message: string) => LatchkeyError): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (!isRecord(value)) throw fail('returned extra that is not an object.')
  const result: Record<string, string> = {}
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue
    if (name === 'oauth_token') throw fail('returned extra.oauth_token: the authorize URL carries the request token Latchkey obtained.')
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw fail(`returned extra.${name} that is not a string, number or boolean.`)
    }
    result[name] = String(item)
  }
  return result
}
