/**
 * The loopback rule (S10): which hosts count as this machine. Settings (PUBLIC_BASE_URL),
 * connector endpoints, API base URIs and webhook URLs all allow http:// only on these, and only
 * with ALLOW_INSECURE_LOOPBACK="true". Kept at the bottom layer so every layer applies one rule.
 */

/** Whether `hostname` (as in `URL.hostname`) is a loopback address. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}
