/**
 * The Hono environment of the Worker's browser routes (src/index.ts, src/flow, src/ui): the
 * Worker bindings, the variables the security-headers middleware provides, and what a route
 * tells the error page (src/flow/error-response.ts) about the way back.
 */
import type { SecurityHeadersVariables } from './security-headers.ts'

/** What a route may tell the error page before something fails. */
export type ErrorPageVariables = {
  /**
   * The flow's return URL, once the route has checked it against ALLOWED_RETURN_ORIGINS (S8,
   * src/flow/return-url.ts): an error page after that links back to the application there.
   * Never set it to anything unchecked: the error page makes it a link.
   */
  errorReturnUrl?: string
}

/** `new Hono<HttpEnv>()`, `Context<HttpEnv>`. */
export type HttpEnv = { Bindings: Env; Variables: SecurityHeadersVariables & ErrorPageVariables }
