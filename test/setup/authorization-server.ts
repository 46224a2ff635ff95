/**
 * Vitest globalSetup (workerd project) of the end-to-end suite: starts a real authorization
 * server (oidc-provider, scripts/authorization-server/) on 127.0.0.1 with the e2e clients,
 * and a server that resets every connection (network faults). Provides their origins;
 * vitest.config.ts passes them to the Worker as bindings (test/e2e/e2e-configuration.ts).
 */
import type { TestProject } from 'vitest/node'
import { startAuthorizationServer } from '../../scripts/authorization-server/index.ts'
import { withoutDevelopmentOnlyWarnings } from '../../scripts/dev/oidc-provider-warnings.ts'
import { startConnectionResetServer } from '../e2e/connection-reset-server.ts'
import { E2E_CLIENTS } from '../e2e/e2e-configuration.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`: issuer of the e2e authorization server. */
    authorizationServerIssuer: string
    /** `http://127.0.0.1:<port>` of the server that resets every connection. */
    connectionResetOrigin: string
  }
}

/** Starts both servers; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const authorizationServer = await withoutDevelopmentOnlyWarnings(() =>
    startAuthorizationServer({
      host: '127.0.0.1',
      clients: E2E_CLIENTS.map(({ clientId, clientSecret, tokenEndpointAuthMethod, redirectUris }) => ({
        clientId,
        clientSecret,
        tokenEndpointAuthMethod,
        redirectUris: [...redirectUris],
      })),
    }),
  )
  const resetServer = await startConnectionResetServer()
  project.provide('authorizationServerIssuer', authorizationServer.issuer)
  project.provide('connectionResetOrigin', resetServer.origin)
  return async () => {
    await Promise.all([authorizationServer.close(), resetServer.close()])
  }
}
