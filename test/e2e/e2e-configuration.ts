/**
 * Configuration shared by the end-to-end suite's three sides: the authorization server's
 * clients (test/setup/authorization-server.ts, Node), the Worker bindings that point the e2e
 * connectors at it (vitest.config.ts, Node) and the tests (workerd). No Node imports here.
 */

/** The Worker's redirect URI in tests: `${PUBLIC_BASE_URL}/oauth/callback` of vitest.config.ts. */
export const E2E_REDIRECT_URI = 'https://latchkey.test/oauth/callback'

/** One client per client authentication method, each with a secret that Basic auth must form-urlencode (S9). */
export const E2E_CLIENTS = [
  {
    connectorKey: 'e2e-basic',
    clientId: 'e2e-basic-client',
    clientSecret: 'e2e:b&sic+ se%cret',
    tokenEndpointAuthMethod: 'client_secret_basic',
    redirectUris: [E2E_REDIRECT_URI],
  },
  {
    connectorKey: 'e2e-post',
    clientId: 'e2e-post-client',
    clientSecret: 'e2e:p&st+ se%cret',
    tokenEndpointAuthMethod: 'client_secret_post',
    redirectUris: [E2E_REDIRECT_URI],
  },
] as const

/**
 * Connector `e2e-default-auth` uses the e2e-basic client but leaves clientAuthLocation
 * unspecified: Latchkey then sends Basic and body credentials together.
 */
export const E2E_DEFAULT_AUTH_CLIENT = E2E_CLIENTS[0]

/** Client of the fault suite's connector at the scripted upstream (test/setup/upstream-servers.ts). */
export const E2E_FAULTS_CLIENT = { clientId: 'e2e-faults-client', clientSecret: 'e2e:f&ults+ se%cret' } as const

/** Values the e2e tests read from the Worker environment (`env` of cloudflare:test). */
export interface E2eBindings {
  E2E_BASIC__ISSUER: string
  E2E_POST__ISSUER: string
  /** An origin whose server accepts every TCP connection and drops it at once (network error). */
  E2E_CONNECTION_RESET_ORIGIN: string
}

/**
 * Worker bindings of the e2e connectors by the `<KEY>__<PARAM>` rule: the authorization
 * server's issuer and each client's credentials, and the fault connector's upstream.
 */
export function e2eBindings(origins: { issuer: string; upstreamOrigin: string; connectionResetOrigin: string }): Record<string, string> {
  const bindings: Record<string, string> = { E2E_CONNECTION_RESET_ORIGIN: origins.connectionResetOrigin }
  for (const client of E2E_CLIENTS) {
    const prefix = client.connectorKey.toUpperCase().replace(/-/g, '_')
    bindings[`${prefix}__ISSUER`] = origins.issuer
    bindings[`${prefix}__CLIENT_ID`] = client.clientId
    bindings[`${prefix}__CLIENT_SECRET`] = client.clientSecret
  }
  bindings['E2E_DEFAULT_AUTH__ISSUER'] = origins.issuer
  bindings['E2E_DEFAULT_AUTH__CLIENT_ID'] = E2E_DEFAULT_AUTH_CLIENT.clientId
  bindings['E2E_DEFAULT_AUTH__CLIENT_SECRET'] = E2E_DEFAULT_AUTH_CLIENT.clientSecret
  bindings['E2E_FAULTS__UPSTREAM_ORIGIN'] = origins.upstreamOrigin
  bindings['E2E_FAULTS__CLIENT_ID'] = E2E_FAULTS_CLIENT.clientId
  bindings['E2E_FAULTS__CLIENT_SECRET'] = E2E_FAULTS_CLIENT.clientSecret
  return bindings
}
