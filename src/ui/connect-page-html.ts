/**
 * The connect page's HTML (hono/html escapes every value): the tenant's connections with who
 * is connected, their status in words, Reconnect and Disconnect buttons, and a Connect form per
 * connector, each with its logo when one may be shown. On a local demo it also lists the
 * connectors that are not set up and the variables to set (never on a deployment: the route
 * decides). Every action is a real form with a real button, so it works by keyboard and without
 * JavaScript; Disconnect first asks (disconnect-page-html.ts). The only script (popup mode)
 * runs under the response's CSP nonce.
 */
import { html, raw } from 'hono/html'
import type { Brand } from '../http/brand.ts'
import { htmlDocument, pageTitle, type HtmlFragment } from '../http/html-document.ts'
import { PAGE_STYLE } from '../http/page-style.ts'
import type { ConnectionStatus, ConnectionSummary } from '../connection/connection-record.ts'
import { whose } from '../flow/pages.ts'
import type { TenantShown } from '../flow/start-confirmation.ts'
import type { ConnectorHealth } from '../registry/connector-health.ts'
import { accountLabelOf } from './account-label.ts'
import type { ConnectorChoice, ConnectWay } from './connector-choices.ts'
import { connectorShown, type ConnectorShown } from './connector-shown.ts'
import { inputFieldHtml } from './input-field-html.ts'
import type { Logo } from './logo.ts'
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
  /** Names and logos by connector key (connections may outlive a connector's configuration). */
  connectorsShown: ReadonlyMap<string, ConnectorShown>
  /** Connectors that are not set up, with what to set: a local demo's page only (development-mode.ts); empty elsewhere. */
  unavailable: ConnectorHealth[]
  notice: PageNotice | null
  /** DEFAULT_BRAND when absent. */
  brand?: Brand
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
    title: pageTitle('Connections', view.brand),
    style: PAGE_STYLE,
    brand: view.brand,
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
        ${view.unavailable.length === 0 ? '' : unavailableSection(view)}
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
  const connector = connectorShown(view.connectorsShown, connection.connectorKey)
  const label = accountLabelOf(connection)
  const status = STATUS_WORDS[connection.status]
  const actionPath = `${view.pagePath}/${connection.connectionId}`
  // Spoken after the visible verb, so every button names its connection.
  const target = html`<span class="visually-hidden"> ${connector.name} (${label ?? connection.connectionId})</span>`
  return html`<li class="card">
    <h3 class="card-title">${logoImage(connector.logo)}<span>${connector.name}${label === null ? '' : html`<span class="account"> — ${label}</span>`}</span></h3>
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
      <form method="get" action="${actionPath}/disconnect">
        <button type="submit" class="secondary">Disconnect${target}</button>
      </form>
    </div>
  </li>`
}

function connectorCard(view: ConnectPageView, connector: ConnectorChoice): HtmlFragment {
  const [only] = connector.ways
  if (connector.ways.length === 1 && only !== undefined && only.authOption === null) {
    return html`<li class="card">
      ${connectorTitle(view, connector)}
      ${connectWayBlock(view, connector, only)}
    </li>`
  }
  // Several ways to connect (auth options): one form and one real button per way.
  return html`<li class="card">
    ${connectorTitle(view, connector)}
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

/**
 * Connectors that are not set up, each with every variable to set (a local demo only). Folded
 * away: a demo without credentials for the example connectors would otherwise show a long list
 * above nothing the person came for.
 */
function unavailableSection(view: ConnectPageView): HtmlFragment {
  const count = view.unavailable.length
  return html`<section aria-labelledby="unavailable-heading">
    <h2 id="unavailable-heading">Not set up on this server</h2>
    <p class="meta">Shown on this local demo only: on a deployment these connectors are simply not offered.</p>
    <details>
      <summary>${count === 1 ? '1 connector is' : `${count} connectors are`} unavailable: what to set</summary>
      <ul class="cards">
        ${view.unavailable.map((health) => unavailableCard(view, health))}
      </ul>
    </details>
  </section>`
}

function unavailableCard(view: ConnectPageView, health: ConnectorHealth): HtmlFragment {
  const fixes = health.problems.map(
    (problem, index) => html`${index === 0 ? '' : ', '}<code>${problem.variable}</code>${problem.code === 'missing' ? '' : html` (${problem.message})`}`,
  )
  return html`<li class="card card-unavailable">
    ${cardTitle(health.name, connectorShown(view.connectorsShown, health.key).logo)}
    <p class="detail"><strong class="unavailable">Unavailable</strong>: set ${fixes}</p>
  </li>`
}

/** A Connect card's heading: the connector's logo when it may be shown, and its name. */
function connectorTitle(view: ConnectPageView, connector: ConnectorChoice): HtmlFragment {
  return cardTitle(connector.name, connectorShown(view.connectorsShown, connector.key).logo)
}

function cardTitle(name: string, logo: Logo | null): HtmlFragment {
  return html`<h3 class="card-title">${logoImage(logo)}<span>${name}</span></h3>`
}

/** A logo beside the connector's name, which says it: the image itself is decoration (`alt=""`). */
function logoImage(logo: Logo | null): HtmlFragment | '' {
  return logo === null ? '' : html`<img class="logo" src="${logo.src}" alt="" width="24" height="24" />`
}

/** The logos the page shows, for its CSP (`img-src`): exactly these origins and no other. */
export function pageLogos(view: ConnectPageView): Logo[] {
  const keys = new Set([
    ...view.connections.map((connection) => connection.connectorKey),
    ...view.connectors.map((choice) => choice.key),
    ...view.unavailable.map((health) => health.key),
  ])
  return [...keys].flatMap((key) => {
    const logo = connectorShown(view.connectorsShown, key).logo
    return logo === null ? [] : [logo]
  })
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

/** The pages' one style sheet under its older name (src/flow/credential-form-page.ts imports it); new code imports PAGE_STYLE. */
export const STYLE = PAGE_STYLE
