/**
 * The document every Latchkey page is: charset, no-referrer, viewport, title, and a style
 * sheet and body that run under the response's CSP nonce (security-headers.ts). hono/html
 * escapes every value; `style` is trusted CSS written in this repository.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

/** An HTML fragment as hono/html builds it. */
export type HtmlFragment = HtmlEscapedString | Promise<HtmlEscapedString>

/** A whole page: `title` as the tab shows it, `style` (CSS) under `nonce`, then `body`. */
export function htmlDocument(page: { nonce: string; title: string; style: string; body: HtmlFragment }): HtmlFragment {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="referrer" content="no-referrer" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title}</title>
        <style nonce="${page.nonce}">
          ${raw(page.style)}
        </style>
      </head>
      <body>
        ${page.body}
      </body>
    </html>`
}
