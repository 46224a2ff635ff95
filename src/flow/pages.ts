/**
 * The few HTML pages the connect flow shows: the one error page (every error a browser sees,
 * src/flow/error-response.ts), the done page (a flow without a return URL), the popup ending
 * that posts the result to its opener, and the question the authorize start asks when it
 * knows whose account a connection lands in (S21, start-confirmation.ts). They share the
 * connect page's look and the application's brand (src/http/page-style.ts, brand.ts). Values
 * are escaped by hono/html; the only script runs under the response's CSP nonce
 * (src/http/security-headers.ts).
 */
import { html } from 'hono/html'
import type { Brand } from '../http/brand.ts'
import { htmlDocument, pageTitle, type HtmlFragment } from '../http/html-document.ts'
import { PAGE_STYLE } from '../http/page-style.ts'
import { plainWordsFor } from '../ui/error-words.ts'
import type { StartConfirmation, TenantShown } from './start-confirmation.ts'

/** What the popup posts to `window.opener` (type `latchkey:connect`). */
export interface ConnectResultMessage {
  type: 'latchkey:connect'
  status: string
  connectionId?: string
  error?: string
  providerError?: string
}

/**
 * Where the error page sends the person: back to the connect page the error came from, back to
 * the application (a flow's return URL, already checked against ALLOWED_RETURN_ORIGINS, S8), or
 * nowhere known (null: "close this window and start again from the application").
 */
export type WayBack = { to: 'connect-page'; href: string } | { to: 'application'; href: string }

/** What the error page may know besides the error. */
export interface ErrorPageOptions {
  brand?: Brand
  /** The name of the connector the flow went to, for sentences that name the provider. */
  connectorName?: string | null
  wayBack?: WayBack | null
}

/** What the done page may know besides the connection id and status. */
export interface DonePageOptions {
  brand?: Brand
  /** The connector's name ("GitHub"). */
  connectorName?: string | null
  /** Who is connected ("alice@example.com"), as src/ui/account-label.ts lets a page show it. */
  accountLabel?: string | null
}

/**
 * The error page of a browser route: a plain sentence for the person (chosen by `code`,
 * src/ui/error-words.ts), the way back, and folded away for whoever supports them the stable
 * code and the developer `message` (never a stack; messages carry no secret, S13).
 */
export function errorPage(nonce: string, code: string, message: string, options: ErrorPageOptions = {}): HtmlFragment {
  const plainWords = plainWordsFor(code, options.connectorName ?? null)
  return layout(
    nonce,
    pageTitle(plainWords, options.brand),
    html`<main>
      <h1>${plainWords}</h1>
      ${wayBackBlock(options.wayBack ?? null)}
      <details>
        <summary>Details for developers</summary>
        <p>${message}</p>
        <p>Error code: <code>${code}</code></p>
      </details>
    </main>`,
    options.brand,
  )
}

/** The done page, shown when a flow without a return URL ends: what is connected, and that the window may close. */
export function successPage(nonce: string, connectionId: string, status: string, options: DonePageOptions = {}): HtmlFragment {
  const connected = status === 'connected'
  const heading = connected ? 'Connected' : 'Connected, but the connection test failed'
  const connectorName = options.connectorName ?? null
  const label = options.accountLabel ?? null
  const account = html`${connectorName === null ? 'account' : html`${connectorName} account`}${label === null ? '' : html` <strong>${label}</strong>`}`
  return layout(
    nonce,
    pageTitle(heading, options.brand),
    html`<main>
      <h1>${heading}</h1>
      ${
        connected
          ? html`<p>Your ${account} is connected. You can close this window.</p>`
          : html`<p>Your ${account} is stored, but checking it failed. The application may ask you to connect it again. You can close this window.</p>`
      }
      <p class="meta">Connection <code>${connectionId}</code></p>
    </main>`,
    options.brand,
  )
}

/** The popup ending: posts `message` to the opener, only at `targetOrigin`, then closes itself. */
export function popupResultPage(nonce: string, targetOrigin: string, message: ConnectResultMessage, brand?: Brand): HtmlFragment {
  return layout(
    nonce,
    pageTitle('Connection finished', brand),
    html`<main data-target-origin="${targetOrigin}" data-result="${JSON.stringify(message)}">
        <p>You can close this window.</p>
      </main>
      <script nonce="${nonce}">
        const data = document.querySelector('main').dataset
        if (window.opener) window.opener.postMessage(JSON.parse(data.result), data.targetOrigin)
        window.close()
      </script>`,
    brand,
  )
}

/**
 * Asks before the provider opens: whose account the connection lands in and, when this browser
 * is signed in to the connect page as another tenant, that it is another one. Continuing is a
 * plain link to the authorize URL, whose state is bound to this browser: a site that sent the
 * browser here cannot read the link, and this page cannot be framed, so only the person can.
 */
export function startConfirmationPage(nonce: string, connectorName: string, confirmation: StartConfirmation, authorizeUrl: string, brand?: Brand): HtmlFragment {
  const { target, signedInAs } = confirmation
  return layout(
    nonce,
    pageTitle(`Connect ${connectorName}`, brand),
    html`<main>
      <h1>Connect ${connectorName} for ${whose(target)}?</h1>
      ${
        signedInAs === null
          ? ''
          : html`<p class="warning" role="alert">
            You are signed in as ${whose(signedInAs)}, but this link connects an account for ${whose(target)}. Continue only if
            you meant to connect your ${connectorName} account to ${whose(target)}.
          </p>`
      }
      <p>Your ${connectorName} account will be connected to the connections of ${whose(target)}.</p>
      <p><a class="continue" href="${authorizeUrl}">Continue to ${connectorName}</a></p>
      <p>Not you? Close this window: nothing is connected unless you continue and approve it at ${connectorName}.</p>
    </main>`,
    brand,
  )
}

/** A tenant as the person knows it (S21): its display name, else its id. */
export function whose(shown: TenantShown): HtmlFragment {
  return shown.displayName === null ? html`account <code>${shown.tenant}</code>` : html`<strong>${shown.displayName}</strong>`
}

function wayBackBlock(wayBack: WayBack | null): HtmlFragment {
  if (wayBack === null) return html`<p>Close this window and start again from the application.</p>`
  const text = wayBack.to === 'connect-page' ? 'Back to your connections' : 'Back to the application'
  return html`<p><a class="button primary" href="${wayBack.href}">${text}</a></p>`
}

function layout(nonce: string, title: string, body: HtmlFragment, brand: Brand | undefined): HtmlFragment {
  return htmlDocument({ nonce, title, style: PAGE_STYLE, body, brand })
}
