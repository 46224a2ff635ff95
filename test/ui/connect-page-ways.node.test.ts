/**
 * The connect page's cards for connectors with several ways to connect (auth options) and for
 * client-credentials connectors (src/ui/connect-page-html.ts): one real form and button per way,
 * the option posted as `auth_option`, and no field of a credentials form on the card (S22).
 */
import { describe, expect, it } from 'vitest'
import { connectPage, type ConnectPageView } from '../../src/ui/connect-page-html.ts'
import type { ConnectorChoice } from '../../src/ui/connector-choices.ts'
import { inputFieldsOf, type InputField } from '../../src/ui/input-fields.ts'

const SUBDOMAIN = (inputFieldsOf({ type: 'object', properties: { subdomain: { type: 'string', title: 'Subdomain' } }, required: ['subdomain'] }) as { fields: InputField[] }).fields

async function page(connectors: ConnectorChoice[]): Promise<string> {
  const view: ConnectPageView = {
    nonce: 'n',
    pagePath: '/connections',
    mode: 'redirect',
    csrfToken: 'csrf-token',
    owner: { tenant: 't', displayName: null },
    connections: [],
    connectors,
    connectorsShown: new Map(),
    unavailable: [],
    notice: null,
  }
  return (await connectPage(view)).toString()
}

/** The forms of the page, in order. */
function forms(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="\/connections\/connect"[\s\S]*?<\/form>/g)].map((match) => match[0])
}

describe('connect page cards', () => {
  it('offers one form per auth option, each posting its option, labelled by its title', async () => {
    const html = await page([
      {
        key: 'acme',
        name: 'Acme',
        logoUri: null,
        ways: [
          { authOption: 'oauth', title: 'OAuth', type: 'oauth2', fields: SUBDOMAIN },
          { authOption: 'api-key', title: 'API Key Authentication', type: 'client-credentials', fields: [] },
        ],
      },
    ])
    const [oauth, apiKey] = forms(html)
    expect(oauth).toContain('<input type="hidden" name="auth_option" value="oauth" />')
    expect(oauth).toContain('<input type="text" id="field-acme--oauth-subdomain" name="input.subdomain" required aria-required="true"')
    expect(oauth).toContain('<button type="submit" class="primary">Connect with OAuth<span class="visually-hidden"> (Acme)</span></button>')
    expect(apiKey).toContain('<input type="hidden" name="auth_option" value="api-key" />')
    expect(apiKey).toContain('<button type="submit" class="primary">Connect with API Key Authentication<span class="visually-hidden"> (Acme)</span></button>')
    expect(apiKey).not.toContain('name="input.')
    expect(html).toContain('<ul class="ways" aria-label="Ways to connect Acme">')
  })

  it('S22 gives a client-credentials connector a button only: the next page asks for the key', async () => {
    const [form] = forms(await page([{ key: 'keyed', name: 'Keyed', logoUri: null, ways: [{ authOption: null, title: null, type: 'client-credentials', fields: [] }] }]))
    expect(form).not.toContain('name="input.')
    expect(form).not.toContain('auth_option')
    expect(form).toContain('The next page asks for the details, such as an API key.')
    expect(form).toContain('<button type="submit" class="primary">Connect Keyed</button>')
  })

  it('says which way cannot be started from the page', async () => {
    const html = await page([
      {
        key: 'acme',
        name: 'Acme',
        logoUri: null,
        ways: [
          { authOption: 'oauth', title: 'OAuth', type: 'oauth2', fields: null },
          { authOption: 'api-key', title: 'API key', type: 'client-credentials', fields: [] },
        ],
      },
    ])
    expect(html).toContain('Connecting with OAuth needs details this page cannot ask for; start it from the application.')
    expect(forms(html)).toHaveLength(1)
  })
})
