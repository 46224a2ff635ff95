/**
 * Deployment settings the flow reads from the Worker environment, checked once per use so a
 * bad value is a clear `server_misconfigured` instead of a broken redirect.
 */
import { LatchkeyError } from '../errors.ts'
import { allowsInsecureLoopback, isLoopbackHost } from '../oauth/oauth-config.ts'
import { parseAllowedOrigins } from './return-url.ts'

/** The path of the one callback route. */
export const CALLBACK_PATH = '/oauth/callback'

/**
 * The one redirect URI, `${PUBLIC_BASE_URL}/oauth/callback` (never derived from the Host
 * header). PUBLIC_BASE_URL must be an https origin; http only for loopback hosts and only with
 * ALLOW_INSECURE_LOOPBACK="true" (S10, the local demo). A trailing slash is tolerated.
 */
export function redirectUriOf(env: Env): string {
  const base: string = env.PUBLIC_BASE_URL
  let url: URL | null = null
  try {
    url = new URL(base)
  } catch {
    url = null
  }
  const insecureAllowed = url !== null && url.protocol === 'http:' && isLoopbackHost(url.hostname) && allowsInsecureLoopback(env.ALLOW_INSECURE_LOOPBACK)
  const secure = url !== null && (url.protocol === 'https:' || insecureAllowed)
  if (url === null || !secure || url.origin !== base.replace(/\/$/, '')) {
    throw new LatchkeyError(
      'server_misconfigured',
      'Set PUBLIC_BASE_URL to the https origin of this Worker, e.g. https://latchkey.example.com (no path); http://localhost needs ALLOW_INSECURE_LOOPBACK="true".',
    )
  }
  return `${url.origin}${CALLBACK_PATH}`
}

/**
 * The origins a flow may return to: ALLOWED_RETURN_ORIGINS plus this Worker's own origin, so
 * the connect page it serves (src/ui) works without listing itself.
 */
export function allowedReturnOriginsOf(env: Env): Set<string> {
  const origins = parseAllowedOrigins(env.ALLOWED_RETURN_ORIGINS)
  origins.add(new URL(redirectUriOf(env)).origin)
  return origins
}
