/**
 * The client authentication methods at the token endpoint a discovered connection can use
 * (RFC 7591 section 2 `token_endpoint_auth_method`): the two shared-secret methods of RFC 6749
 * section 2.3.1 and `none` for a public client. Anything else an authorization server offers
 * (private_key_jwt, tls_client_auth...) Latchkey does not speak.
 */
import type { TokenEndpointAuthMethod } from './client-reference.ts'

/** In the order a dynamic registration prefers them: a secret in a header, in the body, then none. */
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none']

/** Whether `value` names one of the methods above. */
export function isTokenEndpointAuthMethod(value: unknown): value is TokenEndpointAuthMethod {
  return (TOKEN_ENDPOINT_AUTH_METHODS as readonly unknown[]).includes(value)
}
