/**
 * The few HTML pages the connect flow shows: an error page, a success page (no return URL),
 * and the popup ending that posts the result to its opener. Values are escaped by hono/html;
 * the only script runs under a per-response CSP nonce.
 */
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { randomToken } from '../oauth/pkce.ts'

type Page = HtmlEscapedString | Promise<HtmlEscapedString>

/** What the popup posts to `window.opener` (type `latchkey:connect`). */
export interface ConnectResultMessage {
  type: 'latchkey:connect'
  status: string
  connectionId?: string
  error?: string
  providerError?: string
}

/** A fresh CSP nonce and the headers every page is sent with (no framing, no referrer, no caching). */
export function pageSecurity(): { nonce: string; headers: Record<string, string> } {
  const nonce = randomToken()
  return {
    nonce,
    headers: {
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    },
  }
}

/** The error page of a browser route: the stable code and the developer message, no stack. */
export function errorPage(nonce: string, code: string, message: string): Page {
  return layout(
    nonce,
    'Connection failed',
    html`<h1>Connection failed</h1>
      <p>${message}</p>
      <p>Error code: <code>${code}</code></p>`,
  )
}

/** The page shown when a flow without a return URL ends. */
export function successPage(nonce: string, connectionId: string, status: string): Page {
  const heading = status === 'connected' ? 'Connected' : 'Connected, but the connection test failed'
  return layout(
    nonce,
    heading,
    html`<h1>${heading}</h1>
      <p>Connection <code>${connectionId}</code> is stored. You can close this window.</p>`,
  )
}

/** The popup ending: posts `message` to the opener, only at `targetOrigin`, then closes itself. */
export function popupResultPage(nonce: string, targetOrigin: string, message: ConnectResultMessage): Page {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="referrer" content="no-referrer" />
        <title>Latchkey</title>
      </head>
      <body data-target-origin="${targetOrigin}" data-result="${JSON.stringify(message)}">
        <p>You can close this window.</p>
        <script nonce="${nonce}">
          const data = document.body.dataset
          if (window.opener) window.opener.postMessage(JSON.parse(data.result), data.targetOrigin)
          window.close()
        </script>
      </body>
    </html>`
}

function layout(nonce: string, title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>): Page {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="referrer" content="no-referrer" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} - Latchkey</title>
        <style nonce="${nonce}">
          body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
          code { background: #f3f3f3; padding: 0 0.25em; }
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`
}
