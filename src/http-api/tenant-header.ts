/**
 * The tenant of an HTTP API call: the `Latchkey-Tenant` header, where the RPC methods take a
 * `tenant` argument. A header, not a query parameter or a body field, because the proxy
 * forwards queries and bodies as they are, and because one place to read it lets the guard
 * check the key's tenant restriction before any route reads anything else. Header values are
 * ASCII, so the HTTP API reaches tenants whose ids are printable ASCII; others only over RPC.
 */
import { z } from '@hono/zod-openapi'

/** The header's name; lowercase, as the OpenAPI request schemas need it. */
export const TENANT_HEADER = 'latchkey-tenant'

/** The RPC API's longest tenant id (LatchkeyApi's check). */
const MAX_TENANT_LENGTH = 256
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/

/** The header's schema: the guard parses with it, and the OpenAPI document describes it. */
export const TenantSchema = z
  .string()
  .min(1)
  .max(MAX_TENANT_LENGTH)
  .regex(PRINTABLE_ASCII)
  .openapi({
    description: `The tenant (end user or account) the call acts for: 1 to ${MAX_TENANT_LENGTH} printable ASCII characters. A key restricted to a tenant prefix may name only tenants with that prefix.`,
    example: 'acme-42',
  })

/** The request headers of a tenant's operation, for `createRoute`. */
export const TenantHeaders = z.object({ [TENANT_HEADER]: TenantSchema })

/** The tenant a header value names, or null when it is missing or malformed. */
export function tenantFromHeader(value: string | undefined): string | null {
  const parsed = TenantSchema.safeParse(value)
  return parsed.success ? parsed.data : null
}
