/**
 * The few HTML pages the connect flow shows: an error page, a success page (no return URL),
 * the popup ending that posts the result to its opener, and the question the authorize start
 * asks when it knows whose account a connection lands in (S21, start-confirmation.ts). Values are escaped by hono/html;
 * the only script runs under the response's CSP nonce (src/http/security-headers.ts).
 */
import { html } from 'hono/html'
import { htmlDocument, type HtmlFragment } from '../http/html-document.ts'
import type { StartConfirmation, TenantShown } from './start-confirmation.ts'

/** What the popup posts to `window.opener` (type `latchkey:connect`). */
export interface ConnectResultMessage {
  type: 'latchkey:connect'
  status: string
  connectionId?: string
  error?: string
  providerError?: string
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
code { background: #f3f3f3; padding: 0 0.25em; }
.warning { padding: 0.75rem 1rem; border: 1px solid #e3a1a3; background: #fbeaea; border-radius: 6px; }
.continue { display: inline-block; padding: 0.45rem 1rem; border-radius: 6px; background: #1a56b8; color: #fff; text-decoration: none; }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
`

/** The error page of a browser route: the stable code and the developer message, no stack. */
export function errorPage(nonce: string, code: string, message: string): HtmlFragment {
  return layout(
    nonce,
    'Connection failed',
    html`<h1>Connection failed</h1>
      <p>${message}</p>
      <p>Error code: <code>${code}</code></p>`,
  )
}

/** The page shown when a flow without a return URL ends. */
export function successPage(nonce: string, connectionId: string, status: string): HtmlFragment {
  const heading = status === 'connected' ? 'Connected' : 'Connected, but the connection test failed'
  return layout(
    nonce,
    heading,
    html`<h1>${heading}</h1>
      <p>Connection <code>${connectionId}</code> is stored. You can close this window.</p>`,
  )
}

/** The popup ending: posts `message` to the opener, only at `targetOrigin`, then closes itself. */
export function popupResultPage(nonce: string, targetOrigin: string, message: ConnectResultMessage): HtmlFragment {
  return htmlDocument({
    nonce,
    title: 'Latchkey',
    style: '',
    body: html`<main data-target-origin="${targetOrigin}" data-result="${JSON.stringify(message)}">
        <p>You can close this window.</p>
      </main>
      <script nonce="${nonce}">
        const data = document.querySelector('main').dataset
        if (window.opener) window.opener.postMessage(JSON.parse(data.result), data.targetOrigin)
        window.close()
      </script>`,
  })
}

/**
 * Asks before the provider opens: whose account the connection lands in and, when this browser
 * is signed in to the connect page as another tenant, that it is another one. Continuing is a
 * plain link to the authorize URL, whose state is bound to this browser: a site that sent the
 * browser here cannot read the link, and this page cannot be framed, so only the person can.
 */
export function startConfirmationPage(nonce: string, connectorName: string, confirmation: StartConfirmation, authorizeUrl: string): HtmlFragment {
  const { target, signedInAs } = confirmation
  return layout(
    nonce,
    `Connect ${connectorName}`,
    html`<h1>Connect ${connectorName} for ${whose(target)}?</h1>
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
      <p>Not you? Close this window: nothing is connected unless you continue and approve it at ${connectorName}.</p>`,
  )
}

/** A tenant as the person knows it (S21): its display name, else its id. */
export function whose(shown: TenantShown): HtmlFragment {
  return shown.displayName === null ? html`account <code>${shown.tenant}</code>` : html`<strong>${shown.displayName}</strong>`
}

function layout(nonce: string, title: string, body: HtmlFragment): HtmlFragment {
  return htmlDocument({ nonce, title: `${title} - Latchkey`, style: STYLE, body })
}
