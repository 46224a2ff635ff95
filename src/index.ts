/**
 * Latchkey Worker entry: the HTTP routes (connect flow) and the classes workerd needs.
 */
import { Hono } from 'hono'
import { respondNotFound, respondToError } from './flow/error-response.ts'
import { credentialFormRoutes } from './flow/credential-routes.ts'
import { flowRoutes } from './flow/routes.ts'
import type { HttpEnv } from './http/http-env.ts'
import { securityHeaders } from './http/security-headers.ts'
import { httpApiRoutes } from './http-api/lazy-http-api.ts'
import { reportConnectorHealthOnce } from './registry/connector-health.ts'
import { clientMetadataRoutes } from './registration/client-metadata-route.ts'
import { refuseDevelopmentDefaultsOffLoopback } from './ui/development-defaults-guard.ts'
import { connectPageRoutes } from './ui/routes.ts'

export { LatchkeyService } from './api/latchkey-service.ts'
export { ConnectionObject } from './connection/connection-object.ts'
export { TenantDirectory } from './connection/tenant-directory.ts'
export { AuthorizationStateGuard } from './flow/authorization-state-guard.ts'
export { ClientRegistration } from './registration/client-registration.ts'

const app = new Hono<HttpEnv>()

// Registered first, so the health check answers before (and without) any middleware.
app.get('/health', (c) => c.json({ ok: true }))
app.use('*', securityHeaders)
// The first request reports, once per isolate, connectors whose variables are missing or invalid.
app.use('*', async (c, next) => {
  reportConnectorHealthOnce(c.env)
  await next()
})
app.use('*', refuseDevelopmentDefaultsOffLoopback).route('/', connectPageRoutes)
// Before the flow's routes: /connect/credentials would otherwise match /connect/:connectorKey.
app.route('/', credentialFormRoutes)
app.route('/', clientMetadataRoutes)
app.route('/', flowRoutes)
// The opt-in HTTP API under /v1 (off, i.e. the ordinary 404, until API_KEYS is set).
app.route('/', httpApiRoutes)
app.notFound(respondNotFound)
app.onError(respondToError)

export default app
