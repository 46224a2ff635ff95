/**
 * Whether a request is a local demo's (development): PUBLIC_BASE_URL and the request itself
 * both on a loopback host. A deployed Worker is never reached as localhost, whatever its
 * PUBLIC_BASE_URL says, so what only operators may see (the development defaults at work,
 * connectors that are unavailable and the variables to set) is shown only then.
 */
import { isLoopbackHost } from '../loopback-host.ts'
import type { Settings } from '../settings.ts'

/** Whether `requestUrl` reaches a local demo: both it and PUBLIC_BASE_URL are on loopback hosts. */
export function isDevelopmentRequest(settings: Settings, requestUrl: string): boolean {
  return isLoopbackUrl(settings.publicBaseUrl) && isLoopbackUrl(requestUrl)
}

function isLoopbackUrl(url: string | undefined): boolean {
  try {
    return isLoopbackHost(new URL(url ?? '').hostname)
  } catch {
    return false
  }
}
