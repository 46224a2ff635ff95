/**
 * The auth types of the format as the build sees them: the four Latchkey runs (AUTH_TYPES),
 * the platform-hosted ones it refuses, and why a method does not belong to a type, so that
 * every refusal says what to write instead.
 */
import { AUTH_TYPES, METHODS_BY_AUTH_TYPE } from '../../src/registry/types.ts'
import type { AuthType, MethodName } from '../../src/registry/types.ts'
import { didYouMean } from '../../src/did-you-mean.ts'

/** Types of the format whose connections the platform itself hosts: nothing to run outside Membrane. */
const PLATFORM_AUTH_TYPES = ['proxy', 'integration-app-token', 'membrane-token']

/** `supported: oauth2, ...`, for messages about a missing or unknown type. */
export const SUPPORTED_AUTH_TYPES_NOTE = `supported: ${AUTH_TYPES.join(', ')}`

/** The auth type written as `value`, or the message saying what to write instead. */
export function readAuthType(value: unknown): { type: AuthType } | { problem: string } {
  if (isAuthType(value)) return { type: value }
  if (typeof value === 'string' && PLATFORM_AUTH_TYPES.includes(value)) {
    return {
      problem: `auth type ${value} is platform-hosted: it runs only inside Membrane and cannot run in Latchkey; write the connection as oauth2, client-credentials (a form: API key, login, subdomain) or oauth1`,
    }
  }
  const typo = typeof value === 'string' ? didYouMean(value, [...AUTH_TYPES, ...PLATFORM_AUTH_TYPES]) : ''
  return { problem: `unknown auth type ${JSON.stringify(value)}${typo} (${SUPPORTED_AUTH_TYPES_NOTE})` }
}

function isAuthType(value: unknown): value is AuthType {
  return (AUTH_TYPES as readonly unknown[]).includes(value)
}

/** Whether an auth block of `type` may implement `method`. */
export function allowsMethod(type: AuthType, method: MethodName): boolean {
  return METHODS_BY_AUTH_TYPE[type].includes(method)
}

// What to use instead of a method the type does not have, when there is a better answer
// than the list of the type's methods.
const INSTEAD: Partial<Record<MethodName, Partial<Record<AuthType, string>>>> = {
  getOAuthConfig: {
    'client-credentials':
      'a client-credentials connection has no OAuth redirect: the user fills the inputSchema form; for an OAuth2 client-credentials grant, request the token in refreshCredentials (or use type: oauth2)',
    'oauth2-discovered': "the endpoints and the client come from the resource's metadata (RFC 9728, RFC 8414): use type: oauth2 to configure them yourself",
  },
  getTokenData: {
    'client-credentials': 'credentials come from the form (getCredentialsFromConnectionParameters)',
    oauth1: 'Latchkey runs the OAuth 1.0a token exchange itself; shape the stored credentials with getCredentialsFromAccessTokenResponse',
  },
  getCredentialsFromAccessTokenResponse: {
    'client-credentials': 'there is no token response: make the credentials from the form with getCredentialsFromConnectionParameters',
  },
  getCredentialsFromRefreshTokenResponse: {
    'client-credentials': 'there is no refresh token: refreshCredentials returns the new credentials itself',
    oauth1: 'OAuth 1.0a access tokens do not expire (RFC 5849): remove it',
  },
  refreshCredentials: { oauth1: 'OAuth 1.0a access tokens do not expire (RFC 5849): remove it' },
  getCredentialsFromConnectionParameters: {
    oauth2: 'an oauth2 connection makes its credentials from the token response (getCredentialsFromAccessTokenResponse)',
    oauth1: 'an oauth1 connection makes its credentials from the access token response (getCredentialsFromAccessTokenResponse)',
  },
}

/** Why `label` (a method key as written) does not belong to a `type` auth block, and what to do. */
export function methodNotAllowedMessage(label: string, type: AuthType, method: MethodName): string {
  const instead = INSTEAD[method]?.[type]
  return `${label} is not a method of ${type} auth${instead ? `: ${instead}` : ': remove it'} (${type} methods: ${METHODS_BY_AUTH_TYPE[type].join(', ')})`
}
