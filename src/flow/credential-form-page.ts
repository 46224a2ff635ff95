/**
 * The credential form's HTML (hono/html escapes every value): whose account the connection
 * lands in (S21), the values the application fixed, the fields to fill in, and after a refused
 * post an error summary at the top (links to each field) and each error next to its field.
 * Secret fields are `type=password` and never carry a value (S22). One real form with a real
 * button: it works by keyboard and without JavaScript; the page has no script at all.
 */
import { html } from 'hono/html'
import type { Brand } from '../http/brand.ts'
import { htmlDocument, pageTitle, type HtmlFragment } from '../http/html-document.ts'
import { STYLE } from '../ui/connect-page-html.ts'
import { fieldId, inputFieldHtml } from '../ui/input-field-html.ts'
import type { InputField } from '../ui/input-fields.ts'
import type { FormProblems } from './credential-form-validation.ts'
import { whose } from './pages.ts'
import type { TenantShown } from './start-confirmation.ts'

/** Everything the form page shows. */
export interface CredentialFormView {
  nonce: string
  actionPath: string
  flowId: string
  csrfToken: string
  connectorName: string
  /** The auth option's title, for connectors with several ways to connect. */
  optionTitle: string | null
  /** Whose connections the new one joins (S21). */
  owner: TenantShown
  /** The application's name and accent (APP_NAME, APP_ACCENT_COLOR). */
  brand: Brand
  /** A connect-page session of another tenant in this browser (S21), or null. */
  signedInAs: TenantShown | null
  reconnect: boolean
  /** The fields to fill in. */
  fields: InputField[]
  /** Values the application set, shown and not editable. */
  fixed: Array<{ label: string; value: string }>
  /** Non-secret values to fill back in after a refused post, by field name. */
  values: Record<string, string>
  problems: FormProblems | null
}

const ID_PREFIX = 'credential'

/** The connect page's style sheet, and the form's own parts. */
const FORM_STYLE = `${STYLE}
  form { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-top: 1rem; }
  .fixed { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
  .fixed dt { font-weight: 600; }
  .fixed dd { margin: 0; overflow-wrap: anywhere; }
  .notice h2 { margin: 0 0 0.5rem; font-size: 1.05rem; }
  .notice ul { margin: 0.25rem 0 0; }
`

/** The whole page. */
export function credentialFormPage(view: CredentialFormView): HtmlFragment {
  const what = view.optionTitle === null ? view.connectorName : `${view.connectorName} (${view.optionTitle})`
  const heading = view.reconnect ? `Reconnect ${what}` : `Connect ${what}`
  const problems = view.problems
  return htmlDocument({
    nonce: view.nonce,
    title: pageTitle(`${problems === null ? '' : 'Error: '}${heading}`, view.brand),
    brand: view.brand,
    style: FORM_STYLE,
    body: html`<main>
      <h1>${heading}</h1>
      <p class="owner">For the connections of ${whose(view.owner)}.</p>
      ${
        view.signedInAs === null
          ? ''
          : html`<p class="notice notice-problem" role="alert">
            You are signed in as ${whose(view.signedInAs)}, but this form connects an account for ${whose(view.owner)}. Continue only if you
            meant to.
          </p>`
      }
      ${problems === null ? '' : errorSummary(view, problems)}
      <form method="post" action="${view.actionPath}" novalidate>
        <input type="hidden" name="flow" value="${view.flowId}" />
        <input type="hidden" name="csrf" value="${view.csrfToken}" />
        ${
          view.fixed.length === 0
            ? ''
            : html`<dl class="fixed">
              ${view.fixed.map((entry) => html`<dt>${entry.label}</dt><dd>${entry.value}</dd>`)}
            </dl>`
        }
        ${view.fields.map((field, index) => inputFieldHtml(ID_PREFIX, field, index, { value: view.values[field.name] ?? null, error: problems?.fields[field.name] ?? null }))}
        <p class="hint">
          ${view.connectorName} checks these details before the connection is saved. Secrets are stored encrypted and never shown again.
        </p>
        <button type="submit" class="primary">${view.reconnect ? 'Reconnect' : 'Connect'}</button>
      </form>
    </main>`,
  })
}

/**
 * What went wrong, first on the page and announced (role=alert): the form-level problem and a
 * link to each field in error, so keyboard and screen-reader users reach them directly.
 * (`novalidate` above: the server's messages, not the browser's, say what to fix.)
 */
function errorSummary(view: CredentialFormView, problems: FormProblems): HtmlFragment {
  const inError = view.fields.map((field, index) => ({ field, index })).filter(({ field }) => Object.hasOwn(problems.fields, field.name))
  return html`<div class="notice notice-problem" role="alert" aria-labelledby="problem-heading">
    <h2 id="problem-heading">There is a problem</h2>
    ${problems.form === null ? '' : html`<p>${problems.form}</p>`}
    ${
      inError.length === 0
        ? ''
        : html`<ul>
          ${inError.map(({ field, index }) => html`<li><a href="#${fieldId(ID_PREFIX, field, index)}">${problems.fields[field.name]}</a></li>`)}
        </ul>`
    }
  </div>`
}
