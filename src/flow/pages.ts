/**
 * The few HTML pages the connect flow shows: an error page, a success page (no return URL),
 * and the popup ending that posts the result to its opener. Values are escaped by hono/html;
 * the only script runs under the response's CSP nonce (src/http/security-headers.ts).
 */
import { html } from 'hono/html'
import { htmlDocument, type HtmlFragment } from '../http/html-document.ts'

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

function layout(nonce: string, title: string, body: HtmlFragment): HtmlFragment {
  return htmlDocument({ nonce, title: `${title} - Latchkey`, style: STYLE, body })
}
