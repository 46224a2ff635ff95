/**
 * The question the connect page asks when a page token for another tenant arrives while this
 * browser holds a session (S21): a link someone else made would otherwise switch the person
 * into their tenant without a word, and the person's next Connect would land there. Both
 * answers are one CSRF-protected form (hono/html escapes the names shown).
 */
import { html } from 'hono/html'
import type { Brand } from '../http/brand.ts'
import { htmlDocument, pageTitle, type HtmlFragment } from '../http/html-document.ts'
import { PAGE_STYLE } from '../http/page-style.ts'
import { whose } from '../flow/pages.ts'
import type { TenantShown } from '../flow/start-confirmation.ts'

/** What the switch question shows. */
export interface SwitchPageView {
  nonce: string
  /** Where the answer is posted. */
  actionPath: string
  /** The CSRF token of the current session. */
  csrfToken: string
  current: TenantShown
  next: TenantShown
  /** DEFAULT_BRAND when absent. */
  brand?: Brand
}

/** The page: who the browser is signed in as, who the link is for, and the two answers. */
export function switchPage(view: SwitchPageView): HtmlFragment {
  return htmlDocument({
    nonce: view.nonce,
    title: pageTitle('Switch account?', view.brand),
    style: PAGE_STYLE,
    brand: view.brand,
    body: html`<main>
      <h1>Switch to ${whose(view.next)}?</h1>
      <p>You are signed in as ${whose(view.current)}. The link you opened shows the connections of ${whose(view.next)}.</p>
      <p>Switch only if you meant to manage the connections of ${whose(view.next)}: accounts you connect after switching belong to it.</p>
      <form method="post" action="${view.actionPath}" class="actions">
        <input type="hidden" name="csrf" value="${view.csrfToken}" />
        <button type="submit" name="decision" value="keep" class="primary">Stay signed in as ${view.current.displayName ?? view.current.tenant}</button>
        <button type="submit" name="decision" value="switch" class="secondary">Switch to ${view.next.displayName ?? view.next.tenant}</button>
      </form>
    </main>`,
  })
}
