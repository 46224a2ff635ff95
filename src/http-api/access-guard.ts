/**
 * The first thing every HTTP API route runs (S24), before its request is validated or any
 * connection is looked up, in this order:
 *
 *   1. the API key: none is 401 `api_key_required`, a wrong one 401 `invalid_api_key`, both
 *      with `WWW-Authenticate: Bearer` (RFC 6750 §3);
 *   2. the key's rate limit: 429 `rate_limited` with Retry-After;
 *   3. the operation's scope: 403 `insufficient_scope`;
 *   4. the `Latchkey-Tenant` header: missing or malformed is 400 `invalid_request`, a tenant
 *      outside the key's prefix 403 `tenant_not_allowed`.
 *
 * Only then does the route run; a connection of another tenant then answers exactly like one
 * that does not exist (LatchkeyApi), so no answer tells a caller about connections it may not see.
 */
import type { MiddlewareHandler } from 'hono'
import { isConnectionId } from '../connection-id.ts'
import { LatchkeyError } from '../errors.ts'
import { readSettings } from '../settings.ts'
import { checkApiKey } from './api-keys.ts'
import type { HttpApiEnv } from './http-api-env.ts'
import { HttpApiError } from './http-api-error.ts'
import { jsonBodyLimit } from './json-body-limit.ts'
import { enforceRateLimit } from './rate-limit.ts'
import type { ApiOperation } from './scopes.ts'
import { TENANT_HEADER, tenantFromHeader } from './tenant-header.ts'

/** The realm of every `WWW-Authenticate` challenge. */
const REALM = 'Bearer realm="latchkey"'

/** The name of the OpenAPI security scheme every guarded route requires. */
export const API_KEY_SECURITY_SCHEME = 'apiKey'

/**
 * What `createRoute` needs for `operation`: its guard (then the JSON body limit), and the
 * security requirement the OpenAPI document shows, both from the one scope table (scopes.ts).
 */
export function guarded(operation: ApiOperation): { operationId: string; security: Array<Record<string, string[]>>; middleware: MiddlewareHandler<HttpApiEnv>[] } {
  return { operationId: operation.name, security: [{ [API_KEY_SECURITY_SCHEME]: [operation.scope] }], middleware: [guard(operation), jsonBodyLimit] }
}

/** The guard of `operation`: the checks above, recording what it learns in the call's audit record. */
export function guard(operation: ApiOperation): MiddlewareHandler<HttpApiEnv> {
  return async (c, next) => {
    const call = c.get('apiCall')
    call.operation = operation.name
    const tenant = operation.tenant ? tenantFromHeader(c.req.header(TENANT_HEADER)) : null
    call.tenant = tenant
    const connectionId = c.req.param('id')
    if (typeof connectionId === 'string' && isConnectionId(connectionId)) call.connectionId = connectionId

    const checked = await checkApiKey(c.get('apiKeys'), c.req.header('Authorization'))
    if (!checked.ok && checked.reason === 'missing') {
      throw new HttpApiError('api_key_required', 'Send an API key as `Authorization: Bearer lk_<key id>_<secret>`.', { 'WWW-Authenticate': REALM })
    }
    if (!checked.ok) {
      throw new HttpApiError('invalid_api_key', 'The API key is not valid: check it, or ask for a new one.', { 'WWW-Authenticate': `${REALM}, error="invalid_token"` })
    }
    const key = checked.key
    call.keyId = key.id
    c.set('apiKey', key)

    await enforceRateLimit(readSettings(c.env).httpApi.rateLimiter, key.id)
    if (!key.scopes.has(operation.scope)) {
      throw new HttpApiError('insufficient_scope', `This API key lacks the scope ${operation.scope}, which ${operation.name} needs.`, {
        'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${operation.scope}"`,
      })
    }
    if (operation.tenant) {
      if (tenant === null) throw new LatchkeyError('invalid_request', 'Name the tenant in the Latchkey-Tenant header: 1 to 256 printable ASCII characters.')
      if (key.tenantPrefix !== null && !tenant.startsWith(key.tenantPrefix)) {
        throw new HttpApiError('tenant_not_allowed', "This API key may act only for tenants whose id starts with the key's tenant prefix.")
      }
    }
    await next()
  }
}
