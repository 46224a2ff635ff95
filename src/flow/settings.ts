/**
 * Deployment settings the flow reads from the Worker environment, checked once per use so a
 * bad value is a clear `server_misconfigured` instead of a broken redirect.
 */
import { LatchkeyError } from '../errors.ts'
import { isLoopbackHost } from '../oauth/oauth-config.ts'
import { parseAllowedOrigins } from './return-url.ts'

/** The path of the one callback route. */
export const CALLBACK_PATH = '/oauth/callback'

/**
 * The one redirect URI, `${PUBLIC_BASE_URL}/oauth/callback` (never derived from the Host
 * header). PUBLIC_BASE_URL must be an https origin (http only for loopback hosts).
 */
export function redirectUriOf(env: Env): string {
  const base: string = env.PUBLIC_BASE_URL
  let url: URL | null = null
  try {
    url = new URL(base)
  } catch {
    url = null
  }
  const secure = url !== null && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
  if (url === null || !secure || url.origin !== base.replace(/\/$/, '')) {
    throw new LatchkeyError('server_misconfigured', 'Set PUBLIC_BASE_URL to the https origin of this Worker, e.g. https://latchkey.example.com (no path).')
  }
  return `${url.origin}${CALLBACK_PATH}`
}

/** The origins a flow may return to (ALLOWED_RETURN_ORIGINS). */
export function allowedReturnOriginsOf(env: Env): Set<string> {
  return parseAllowedOrigins(env.ALLOWED_RETURN_ORIGINS)
}
