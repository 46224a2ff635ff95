/**
 * A local authorization server (oidc-provider) for end-to-end tests and the local demo.
 */
export { AUTHORIZATION_SERVER_ROUTES, startAuthorizationServer } from './start-authorization-server.ts'
export type { AuthorizationServer, AuthorizationServerOptions } from './start-authorization-server.ts'
export type { AuthorizationServerClient } from './provider-configuration.ts'
export { CONTROL_PREFIX } from './control-endpoint.ts'
export type {
  ClientAuthenticationUsed,
  GrantRevokedEvent,
  IssuedEvent,
  IssuedKind,
  ResourceRequestEvent,
  ServerEvent,
  ServerEventLog,
  TokenRequestEvent,
} from './server-events.ts'
