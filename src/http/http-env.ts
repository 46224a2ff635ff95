/**
 * The Hono environment of the Worker's browser routes (src/index.ts, src/flow, src/ui): the
 * Worker bindings, and the variables the security-headers middleware provides.
 */
import type { SecurityHeadersVariables } from './security-headers.ts'

/** `new Hono<HttpEnv>()`, `Context<HttpEnv>`. */
export type HttpEnv = { Bindings: Env; Variables: SecurityHeadersVariables }
