/**
 * The document every Latchkey page is: language, charset, no-referrer, viewport, title, the
 * application's name as a banner above the page, and a style sheet and body that run under
 * the response's CSP nonce (security-headers.ts). hono/html escapes every value; `style` is
 * trusted CSS written in this repository, and the brand adds only validated `#rrggbb` colours.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { brandStyle, DEFAULT_BRAND, type Brand } from './brand.ts'

/** An HTML fragment as hono/html builds it. */
export type HtmlFragment = HtmlEscapedString | Promise<HtmlEscapedString>

/** One page of the document. */
export interface HtmlPage {
  nonce: string
  /** As the tab shows it, the application's name included (`Connections - Acme`). */
  title: string
  /** CSS, usually PAGE_STYLE (page-style.ts) plus the page's own rules. */
  style: string
  /** The page's content: its `main` landmark and anything after it (a nonce'd script). */
  body: HtmlFragment
  /** The application's name and accent colour; DEFAULT_BRAND when absent. */
  brand?: Brand
}

/** A tab title: what the page is, then the application's name. */
export function pageTitle(what: string, brand: Brand = DEFAULT_BRAND): string {
  return `${what} - ${brand.appName}`
}

/** A whole page: `title`, `style` and the brand's colours under `nonce`, the banner with the application's name, then `body`. */
export function htmlDocument(page: HtmlPage): HtmlFragment {
  const brand = page.brand ?? DEFAULT_BRAND
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="referrer" content="no-referrer" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title}</title>
        <style nonce="${page.nonce}">
          ${raw(page.style)}
          ${raw(brandStyle(brand))}
        </style>
      </head>
      <body>
        <header class="app-bar"><p class="app-name">${brand.appName}</p></header>
        ${page.body}
      </body>
    </html>`
}
