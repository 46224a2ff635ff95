/**
 * S28: a discovered connection's tokens are bound to its resource (RFC 8707), so its API client
 * may only send them there. The `mcp` connector's makeApiClient already points at the resource;
 * this check makes the rule hold for any `oauth2-discovered` connector, whatever its spec says.
 */
import { LatchkeyError } from '../errors.ts'
import type { ResolvedApiClient } from './api-client-config.ts'
import type { ApiCallContext } from './send-api-call.ts'

/** Whether `baseUri` is `resource` or lies under it (same origin, the resource's path or a path below it). */
export function isUnderResource(baseUri: string, resource: string): boolean {
  const base = new URL(baseUri)
  const bound = new URL(resource)
  if (base.origin !== bound.origin) return false
  const path = bound.pathname.replace(/\/$/, '')
  return path === '' || base.pathname === path || base.pathname.startsWith(`${path}/`)
}

/** `resolved`, when it sends requests under `resource`; otherwise throws `connector_misconfigured`. */
export function checkBoundToResource(resolved: ResolvedApiClient, resource: string, connectorKey: string): ResolvedApiClient {
  if (resolved.kind === 'config' && isUnderResource(resolved.config.baseUri, resource)) return resolved
  throw new LatchkeyError(
    'connector_misconfigured',
    `makeApiClient of connector "${connectorKey}" must send requests under the discovered resource its tokens are bound to (baseUri from connectionInput.resourceUrl).`,
  )
}

/** `context` with every API client configuration it resolves checked against `resource`. */
export function boundToResource(context: ApiCallContext, resource: string, connectorKey: string): ApiCallContext {
  return { ...context, resolve: async (credentials) => checkBoundToResource(await context.resolve(credentials), resource, connectorKey) }
}
