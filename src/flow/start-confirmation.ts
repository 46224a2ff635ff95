/**
 * Whether the authorize start asks before it sends the browser to the provider (S21). The
 * start used to be a bare redirect, so a link for someone else's tenant (a planted or
 * forwarded connect URL: login CSRF) connected the visitor's provider account into that
 * tenant without a word. Asking on every start would add a click to every flow applications
 * already run, so the start asks exactly when it can tell the person something:
 *
 *   - the browser has a connect-page session of another tenant: "you are signed in as X, this
 *     link is for Y" (a link that does not match the account this browser last used);
 *   - the connect token names the tenant (`name`) and no page session of that same tenant
 *     exists: "this connects your account for Alice <alice@example.com>".
 *
 * A start from the tenant's own connect page (same tenant's session) and a start without a
 * name in a browser without another session stay a redirect. Pure: the route supplies both.
 */

/** A tenant as a page shows it. */
export interface TenantShown {
  tenant: string
  displayName: string | null
}

/** What the confirmation page says: for whom, and (when known) whom the browser is signed in as. */
export interface StartConfirmation {
  target: TenantShown
  /** The connect-page session of another tenant in this browser, or null. */
  signedInAs: TenantShown | null
}

/** The confirmation to show before the provider opens, or null to redirect at once. */
export function startConfirmation(target: TenantShown, pageSession: TenantShown | null): StartConfirmation | null {
  if (pageSession !== null && pageSession.tenant !== target.tenant) return { target, signedInAs: pageSession }
  if (pageSession === null && target.displayName !== null) return { target, signedInAs: null }
  return null
}
