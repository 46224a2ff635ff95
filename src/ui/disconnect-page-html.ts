/**
 * The question the connect page asks before Disconnect (routes.ts): which account goes and that
 * the application loses access, then a Disconnect button (a CSRF-protected post that carries
 * the confirmation: only it disconnects) and a Cancel link back to the page. A plain page, so
 * it works without JavaScript; hono/html escapes every value.
 */
import { html } from 'hono/html'
import { DEFAULT_BRAND, type Brand } from '../http/brand.ts'
import { htmlDocument, pageTitle, type HtmlFragment } from '../http/html-document.ts'
import { PAGE_STYLE } from '../http/page-style.ts'

/** The form field whose value says the person answered the question. */
export const DISCONNECT_CONFIRMATION_FIELD = 'confirm'
/** Its one accepted value. */
export const DISCONNECT_CONFIRMED = 'disconnect'

/** What the question shows. */
export interface DisconnectPageView {
  nonce: string
  /** Path of the connect page: Cancel goes there, the answer posts below it. */
  pagePath: string
  csrfToken: string
  connectionId: string
  connectorName: string
  /** Who is connected, as account-label.ts lets a page show it; null: the connection id stands in. */
  accountLabel: string | null
  brand?: Brand
}

/** The page: "Disconnect GitHub (alice@example.com)?", Disconnect and Cancel. */
export function disconnectPage(view: DisconnectPageView): HtmlFragment {
  const brand = view.brand ?? DEFAULT_BRAND
  const which = view.accountLabel ?? view.connectionId
  return htmlDocument({
    nonce: view.nonce,
    title: pageTitle(`Disconnect ${view.connectorName}?`, brand),
    style: PAGE_STYLE,
    brand,
    body: html`<main>
      <h1>Disconnect ${view.connectorName} (${which})?</h1>
      <p>${brand.appName} will lose access to this ${view.connectorName} account. You can connect it again later.</p>
      <p class="meta">Connection <code>${view.connectionId}</code></p>
      <div class="actions">
        <form method="post" action="${view.pagePath}/${view.connectionId}/disconnect">
          <input type="hidden" name="csrf" value="${view.csrfToken}" />
          <input type="hidden" name="${DISCONNECT_CONFIRMATION_FIELD}" value="${DISCONNECT_CONFIRMED}" />
          <button type="submit" class="danger">Disconnect<span class="visually-hidden"> ${view.connectorName} (${which})</span></button>
        </form>
        <a class="button secondary" href="${view.pagePath}">Cancel</a>
      </div>
    </main>`,
  })
}
