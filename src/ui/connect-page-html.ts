/**
 * The connect page's HTML (hono/html escapes every value): the tenant's connections with
 * their status in words, Reconnect and Disconnect buttons, and a Connect form per connector.
 * Every action is a real form with a real button, so it works by keyboard and without
 * JavaScript; the only script (popup mode) runs under the response's CSP nonce.
 */
import { html, raw } from 'hono/html'
import { htmlDocument, type HtmlFragment } from '../http/html-document.ts'
import type { ConnectionStatus, ConnectionSummary } from '../connection/connection-record.ts'
import { whose } from '../flow/pages.ts'
import type { TenantShown } from '../flow/start-confirmation.ts'
import type { ConnectorChoice, ConnectWay } from './connector-choices.ts'
import { inputFieldHtml } from './input-field-html.ts'
import type { PageMode } from './page-token.ts'

/** Name of the window that popup-mode forms submit into. */
export const POPUP_WINDOW_NAME = 'latchkey-connect'

/** A one-line message about what just happened, shown at the top. */
export interface PageNotice {
  tone: 'success' | 'problem'
  text: string
}

/** Everything the page shows. */
export interface ConnectPageView {
  nonce: string
  /** Path of the page, e.g. `/connections`; forms post below it. */
  pagePath: string
  mode: PageMode
  csrfToken: string
  /** Whose connections these are (S21): shown in the heading. */
  owner: TenantShown
  connections: ConnectionSummary[]
  /** Whether the tenant has more connections than `connections` (the page shows the first page only). */
  moreConnections?: boolean
  connectors: ConnectorChoice[]
  /** Display names by connector key (connections may outlive a connector's configuration). */
  connectorNames: ReadonlyMap<string, string>
  notice: PageNotice | null
}

const STATUS_WORDS: Record<ConnectionStatus, { symbol: string; words: string }> = {
  connected: { symbol: '✓', words: 'Connected' },
  needs_reauth: { symbol: '!', words: 'Needs reconnecting' },
  error: { symbol: '✕', words: 'Error' },
}

/** The whole page. */
export function connectPage(view: ConnectPageView): HtmlFragment {
  return htmlDocument({
    nonce: view.nonce,
    title: 'Connections - Latchkey',
    style: STYLE,
    body: html`<main>
        <h1>${view.owner.displayName === null ? 'Connections' : html`Connections of ${view.owner.displayName}`}</h1>
        ${view.owner.displayName === null ? html`<p class="owner">For ${whose(view.owner)}.</p>` : ''}
        <p class="lede">Connect your accounts so the application can use them for you. You can disconnect them at any time.</p>
        ${view.notice === null ? '' : noticeBlock(view.notice)}
        <section aria-labelledby="current-heading">
          <h2 id="current-heading">Your connections</h2>
          ${
            view.connections.length === 0
              ? html`<p>No connections yet.</p>`
              : html`<ul class="cards">
                ${view.connections.map((connection) => connectionCard(view, connection))}
              </ul>`
          }
          ${view.moreConnections === true ? html`<p class="meta">Showing the first ${view.connections.length} connections; there are more. Manage the others from the application.</p>` : ''}
        </section>
        <section aria-labelledby="add-heading">
          <h2 id="add-heading">Add a connection</h2>
          ${view.mode === 'popup' ? html`<p>Connecting opens the provider's sign-in in a new window.</p>` : ''}
          ${
            view.connectors.length === 0
              ? html`<p>No connector is set up on this server yet.</p>`
              : html`<ul class="cards">
                ${view.connectors.map((connector) => connectorCard(view, connector))}
              </ul>`
          }
        </section>
      </main>
      ${view.mode === 'popup' ? popupScript(view.nonce) : ''}`,
  })
}

function noticeBlock(notice: PageNotice): HtmlFragment {
  // An error must interrupt; a success may wait for a pause.
  return notice.tone === 'problem'
    ? html`<p class="notice notice-problem" role="alert">${notice.text}</p>`
    : html`<p class="notice notice-success" role="status">${notice.text}</p>`
}

function connectionCard(view: ConnectPageView, connection: ConnectionSummary): HtmlFragment {
  const name = view.connectorNames.get(connection.connectorKey) ?? connection.connectorKey
  const status = STATUS_WORDS[connection.status]
  const actionPath = `${view.pagePath}/${connection.connectionId}`
  // Spoken after the visible verb, so every button names its connection.
  const target = html`<span class="visually-hidden"> ${name} (${connection.connectionId})</span>`
  return html`<li class="card">
    <h3>${name}</h3>
    <p class="status status-${connection.status}">
      Status: <strong><span aria-hidden="true">${status.symbol}</span> ${status.words}</strong>
    </p>
    ${connection.lastError === null ? '' : html`<p class="detail">${connection.lastError.message} (<code>${connection.lastError.code}</code>)</p>`}
    <p class="meta">Connection <code>${connection.connectionId}</code></p>
    <div class="actions">
      <form method="post" action="${actionPath}/reconnect" ${popupTarget(view.mode)}>
        ${csrfField(view)}
        <button type="submit" class="${connection.status === 'connected' ? 'secondary' : 'primary'}">Reconnect${target}</button>
      </form>
      <form method="post" action="${actionPath}/disconnect">
        ${csrfField(view)}
        <button type="submit" class="secondary">Disconnect${target}</button>
      </form>
    </div>
  </li>`
}

function connectorCard(view: ConnectPageView, connector: ConnectorChoice): HtmlFragment {
  const [only] = connector.ways
  if (connector.ways.length === 1 && only !== undefined && only.authOption === null) {
    return html`<li class="card">
      <h3>${connector.name}</h3>
      ${connectWayBlock(view, connector, only)}
    </li>`
  }
  // Several ways to connect (auth options): one form and one real button per way.
  return html`<li class="card">
    <h3>${connector.name}</h3>
    <p class="meta">Choose how to connect:</p>
    <ul class="ways" aria-label="Ways to connect ${connector.name}">
      ${connector.ways.map((way) => html`<li>${connectWayBlock(view, connector, way)}</li>`)}
    </ul>
  </li>`
}

/** The form that starts one way to connect: its input fields (oauth2, oauth1), or just the button (client-credentials). */
function connectWayBlock(view: ConnectPageView, connector: ConnectorChoice, way: ConnectWay): HtmlFragment {
  const label = way.title === null ? `Connect ${connector.name}` : `Connect with ${way.title}`
  if (way.fields === null) {
    const what = way.title === null ? 'This connector' : `Connecting with ${way.title}`
    return html`<p class="detail">${what} needs details this page cannot ask for; start it from the application.</p>`
  }
  const idPrefix = way.authOption === null ? `field-${connector.key}` : `field-${connector.key}--${safeIdPart(way.authOption)}`
  return html`<form method="post" action="${view.pagePath}/connect" ${popupTarget(view.mode)}>
    ${csrfField(view)}
    <input type="hidden" name="connector" value="${connector.key}" />
    ${way.authOption === null ? '' : html`<input type="hidden" name="auth_option" value="${way.authOption}" />`}
    ${way.fields.map((field, index) => inputFieldHtml(idPrefix, field, index))}
    ${way.type === 'client-credentials' ? html`<p class="hint">The next page asks for the details, such as an API key.</p>` : ''}
    <button type="submit" class="primary">${label}${way.title === null ? '' : html`<span class="visually-hidden"> (${connector.name})</span>`}</button>
  </form>`
}

/** An option key as part of an id (ids are space-separated in aria-describedby). */
function safeIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)
}

function csrfField(view: ConnectPageView): HtmlFragment {
  return html`<input type="hidden" name="csrf" value="${view.csrfToken}" />`
}

function popupTarget(mode: PageMode): HtmlFragment | '' {
  return mode === 'popup' ? html`target="${POPUP_WINDOW_NAME}" data-opens-popup` : ''
}

/**
 * Popup mode: connect forms open a popup first and submit into it; when the flow posts its
 * result (`latchkey:connect`, src/flow/pages.ts) from this origin, the page reloads with it.
 */
function popupScript(nonce: string): HtmlFragment {
  return html`<script nonce="${nonce}">
    for (const form of document.querySelectorAll('form[data-opens-popup]')) {
      form.addEventListener('submit', () => {
        window.open('about:blank', ${raw(JSON.stringify(POPUP_WINDOW_NAME))}, 'popup,width=520,height=720')
      })
    }
    window.addEventListener('message', (event) => {
      const result = event.data
      if (event.origin !== window.location.origin || typeof result !== 'object' || result === null || result.type !== 'latchkey:connect') return
      const next = new URL(window.location.pathname, window.location.origin)
      if (typeof result.status === 'string') next.searchParams.set('status', result.status)
      if (typeof result.error === 'string') next.searchParams.set('error', result.error)
      if (typeof result.connectionId === 'string') next.searchParams.set('connection_id', result.connectionId)
      window.location.replace(next)
    })
  </script>`
}

/** The style sheet of the connect page and of the pages beside it (the switch question). */
export const STYLE = `
  :root { color-scheme: light; --ink: #1d1d1f; --muted: #5a5a60; --line: #d5d5da; --accent: #1a56b8; --ok: #1b6b35; --warn: #8a4b00; --bad: #a4161a; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f6f8; }
  main { max-width: 44rem; margin: 0 auto; padding: 2rem 1rem 4rem; }
  h1 { margin: 0 0 0.25rem; font-size: 1.75rem; }
  h2 { margin: 2rem 0 0.75rem; font-size: 1.2rem; }
  h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
  .lede, .meta, .hint, .owner { color: var(--muted); }
  .owner { margin: 0; }
  .meta { font-size: 0.875rem; margin: 0.25rem 0 0.75rem; }
  .hint { display: block; font-size: 0.875rem; }
  code { font-size: 0.875em; background: #ececf0; padding: 0 0.25em; border-radius: 3px; }
  .cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
  .status { margin: 0.25rem 0; }
  .status-connected strong { color: var(--ok); }
  .status-needs_reauth strong { color: var(--warn); }
  .status-error strong { color: var(--bad); }
  .detail { margin: 0.25rem 0; }
  .notice { padding: 0.75rem 1rem; border-radius: 6px; border: 1px solid; }
  .notice-success { background: #eaf6ee; border-color: #9ccfaa; }
  .notice-problem { background: #fbeaea; border-color: #e3a1a3; }
  .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
  .field { margin: 0.5rem 0; }
  .field label { display: block; font-weight: 600; }
  .field-checkbox label { display: inline; font-weight: 400; }
  .field-error { display: block; color: var(--bad); font-weight: 600; }
  [aria-invalid=true] { border-color: var(--bad); border-width: 2px; }
  .ways { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
  input[type=text], input[type=number], input[type=password], select { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #8e8e96; border-radius: 4px; width: 100%; max-width: 24rem; }
  button { font: inherit; padding: 0.45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; }
  button.secondary { background: #fff; color: var(--accent); }
  :focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`
