/**
 * What the connect page's HTML shows (src/ui/connect-page-html.ts), rendered without a Worker:
 * who is connected on each card (escaped, with the connection id kept for support), logos only
 * where they may be shown and the CSP origins of exactly those, and the connectors that are
 * not set up, with the variables to set, when the route passes them (a local demo).
 */
import { describe, expect, it } from 'vitest'
import type { ConnectionSummary } from '../../src/connection/connection-record.ts'
import type { ConnectorHealth } from '../../src/registry/connector-health.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import type { Settings } from '../../src/settings.ts'
import { connectPage, pageLogos, type ConnectPageView } from '../../src/ui/connect-page-html.ts'
import type { ConnectorChoice } from '../../src/ui/connector-choices.ts'
import { connectorsShown } from '../../src/ui/connector-shown.ts'
import { logoOrigins } from '../../src/ui/logo.ts'

const CONNECTION_ID = 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa'

function connection(overrides: Partial<ConnectionSummary> = {}): ConnectionSummary {
  return {
    connectionId: CONNECTION_ID,
    connectorKey: 'demo',
    authOption: null,
    tenant: 't',
    status: 'connected',
    lastError: null,
    testResult: null,
    createdAt: 0,
    updatedAt: 0,
    lastRefreshedAt: null,
    expiresAt: null,
    accountLabel: null,
    accountId: null,
    ...overrides,
  }
}

/** Connectors as the registry lists them: only what the page reads of them. */
function connectors(logos: Record<string, string | undefined>): CompiledConnector[] {
  return Object.entries(logos).map(([key, logoUri]) => ({ key, name: key.toUpperCase(), ...(logoUri === undefined ? {} : { logoUri }) }) as CompiledConnector)
}

function choice(key: string): ConnectorChoice {
  return { key, name: key.toUpperCase(), logoUri: null, ways: [{ authOption: null, title: null, type: 'oauth2', fields: [] }] }
}

function view(overrides: Partial<ConnectPageView> = {}, logos: Record<string, string | undefined> = { demo: undefined }): ConnectPageView {
  return {
    nonce: 'n',
    pagePath: '/connections',
    mode: 'redirect',
    csrfToken: 'csrf-token',
    owner: { tenant: 't', displayName: null },
    connections: [],
    connectors: [],
    connectorsShown: connectorsShown(connectors(logos), { allowInsecureLoopback: false } as Settings),
    unavailable: [],
    notice: null,
    ...overrides,
  }
}

async function render(pageView: ConnectPageView): Promise<string> {
  return (await connectPage(pageView)).toString()
}

describe('who is connected', () => {
  it("shows the account label on the card and in each button's name, and keeps the connection id for support", async () => {
    const html = await render(view({ connections: [connection({ accountLabel: 'alice@demo.example' })] }))
    expect(html).toContain('<span>DEMO<span class="account"> — alice@demo.example</span></span></h3>')
    expect(html).toContain(`<p class="meta">Connection <code>${CONNECTION_ID}</code></p>`)
    expect(html).toContain('Disconnect<span class="visually-hidden"> DEMO (alice@demo.example)</span>')
  })

  it('renders a label that looks like markup as text', async () => {
    const html = await render(view({ connections: [connection({ accountLabel: '<script>alert(1)</script>' })] }))
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>alert(1)')
  })

  it.each([
    ['no label', null],
    ['a label with a bidirectional override', 'alice\u202e@evil'],
    ['a blank label', '   '],
  ])('falls back to the connection id with %s', async (_case, accountLabel) => {
    const html = await render(view({ connections: [connection({ accountLabel })] }))
    expect(html).not.toContain('class="account"')
    expect(html).toContain(`Disconnect<span class="visually-hidden"> DEMO (${CONNECTION_ID})</span>`)
  })

  it('cuts a long label', async () => {
    const html = await render(view({ connections: [connection({ accountLabel: 'a'.repeat(200) })] }))
    expect(html).toContain(`<span class="account"> — ${'a'.repeat(79)}…</span>`)
  })

  it('offers Disconnect as a question first: a GET to the question, no post', async () => {
    const html = await render(view({ connections: [connection()] }))
    expect(html).toContain(`<form method="get" action="/connections/${CONNECTION_ID}/disconnect">`)
    expect(html).not.toContain(`<form method="post" action="/connections/${CONNECTION_ID}/disconnect"`)
  })
})

describe('logos', () => {
  const logos = {
    demo: 'https://cdn.example.com/demo.png',
    plain: 'http://cdn.example.com/plain.png',
    other: 'https://img.example.org/other.svg',
    unused: 'https://unused.example/u.png',
  }

  it('shows an https logo beside the name, and only the name for any other', async () => {
    const html = await render(view({ connections: [connection()], connectors: [choice('plain'), choice('other')] }, logos))
    expect(html).toContain('<h3 class="card-title"><img class="logo" src="https://cdn.example.com/demo.png" alt="" width="24" height="24" /><span>DEMO</span></h3>')
    expect(html).toContain('<h3 class="card-title"><img class="logo" src="https://img.example.org/other.svg" alt="" width="24" height="24" /><span>OTHER</span></h3>')
    expect(html).toContain('<h3 class="card-title"><span>PLAIN</span></h3>')
    expect(html).not.toContain('plain.png')
  })

  it("gives the CSP the origins of exactly the page's logos", () => {
    const pageView = view({ connections: [connection()], connectors: [choice('plain'), choice('other')] }, logos)
    expect(logoOrigins(pageLogos(pageView))).toEqual(['https://cdn.example.com', 'https://img.example.org'])
    expect(logoOrigins(pageLogos(view({ connectors: [choice('plain')] }, logos)))).toEqual([])
  })
})

describe('connectors that are not set up', () => {
  const github: ConnectorHealth = {
    key: 'github',
    name: 'GitHub',
    logoUri: null,
    authTypes: ['oauth2'],
    ready: false,
    problems: [
      { variable: 'GITHUB__CLIENT_SECRET', code: 'missing', message: 'is required' },
      { variable: 'GITHUB__SCOPES', code: 'invalid', message: 'must be a JSON array, e.g. ["read:user"]' },
    ],
  }

  it('lists each with every variable to set, when the route passes them', async () => {
    const html = await render(view({ unavailable: [github] }, { github: undefined }))
    expect(html).toContain('<h2 id="unavailable-heading">Not set up on this server</h2>')
    expect(html).toContain('<summary>1 connector is unavailable: what to set</summary>')
    expect(html).toContain('<h3 class="card-title"><span>GitHub</span></h3>')
    expect(html).toContain(
      '<strong class="unavailable">Unavailable</strong>: set <code>GITHUB__CLIENT_SECRET</code>, <code>GITHUB__SCOPES</code> (must be a JSON array, e.g. [&quot;read:user&quot;])',
    )
  })

  it('shows nothing of them otherwise', async () => {
    const html = await render(view())
    expect(html).not.toContain('Not set up on this server')
    expect(html).not.toContain('class="card card-unavailable"')
  })
})
