/**
 * The Worker's side of the development defaults (development-defaults.ts): a deployment that
 * still carries one of them (say CONNECT_TOKEN_SECRET, which would let anyone who read the
 * repository mint connect tokens) answers nothing but an error, unless it is a local demo:
 * PUBLIC_BASE_URL and the request itself both on a loopback host.
 */
import type { MiddlewareHandler } from 'hono'
import { LatchkeyError } from '../errors.ts'
import { readSettings } from '../settings.ts'
import { DEVELOPMENT_DEFAULT_MARKER, isDevelopmentDefault } from './development-defaults.ts'
import { isDevelopmentRequest } from './development-mode.ts'

/** Names of the Worker variables and secrets that hold a development default, sorted. */
export function variablesWithDevelopmentDefaults(env: Env): string[] {
  return [...readSettings(env).variables]
    .filter(([, value]) => isDevelopmentDefault(value))
    .map(([name]) => name)
    .sort()
}

/**
 * Throws `server_misconfigured` when a development default is configured, unless both
 * PUBLIC_BASE_URL and `requestUrl` are on loopback hosts (a deployed Worker is never reached
 * as localhost, whatever its PUBLIC_BASE_URL says).
 */
export function assertDevelopmentDefaultsAllowed(env: Env, requestUrl: string): void {
  const variables = variablesWithDevelopmentDefaults(env)
  if (variables.length === 0 || isDevelopmentRequest(readSettings(env), requestUrl)) return
  throw new LatchkeyError(
    'server_misconfigured',
    `${variables.join(', ')} still hold the committed development defaults (${DEVELOPMENT_DEFAULT_MARKER}...), which only a local demo may use. ` +
      'Set real values with `npx wrangler secret put <NAME>` (32+ random bytes for CONNECT_TOKEN_SECRET).',
  )
}

/** Hono middleware: refuses every request while `assertDevelopmentDefaultsAllowed` fails. */
export const refuseDevelopmentDefaultsOffLoopback: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  assertDevelopmentDefaultsAllowed(c.env, c.req.url)
  await next()
}
