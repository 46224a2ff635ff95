/**
 * Where the connect page lives. Its own routes (routes.ts) and the error page's way back
 * (src/flow/error-response.ts) both need it, the latter without loading the page's routes.
 */

/** Path of the connect page; its forms post below it. */
export const PAGE_PATH = '/connections'

/** Whether `pathname` is the connect page or one of its routes. */
export function isConnectPagePath(pathname: string): boolean {
  return pathname === PAGE_PATH || pathname.startsWith(`${PAGE_PATH}/`)
}
