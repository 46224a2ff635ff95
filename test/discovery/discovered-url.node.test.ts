/**
 * The rules every attacker-influenced URL of discovery passes before it is fetched (issue #17):
 * https, no IP literal in any spelling, no user information or fragment, never Latchkey's own
 * host, a length limit; loopback only with ALLOW_INSECURE_LOOPBACK (tests, local development).
 */
import { describe, expect, it } from 'vitest'
import { type DiscoveredUrlPolicy, MAX_DISCOVERED_URL_LENGTH, checkDiscoveredUrl } from '../../src/discovery/index.ts'
import { discoveryError } from './local-server.ts'

const DEPLOYED: DiscoveredUrlPolicy = { latchkeyBaseUrl: 'https://latchkey.example.com', allowInsecureLoopback: false }
const LOCAL: DiscoveredUrlPolicy = { latchkeyBaseUrl: 'http://localhost:8787', allowInsecureLoopback: true }

describe('checkDiscoveredUrl', () => {
  it.each([
    ['an https URL with a path', 'https://mcp.example.com/mcp'],
    ['an https URL with a port and a query', 'https://auth.example.com:8443/authorize?p=policy'],
    ['a subdomain of Latchkey host', 'https://api.latchkey.example.com/mcp'],
    ['a host name with a trailing dot', 'https://mcp.example.com./mcp'],
  ])('accepts %s', (_case, url) => {
    expect(checkDiscoveredUrl(url, 'The URL', DEPLOYED).href).toBe(new URL(url).href)
  })

  it.each([
    ['http', 'http://mcp.example.com/mcp'],
    ['another scheme', 'ftp://mcp.example.com/mcp'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative URL', '/mcp'],
    ['not a URL', 'mcp example'],
    ['an IPv4 literal', 'https://93.184.216.34/mcp'],
    ['the metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['IPv4 in decimal', 'https://2130706433/mcp'],
    ['IPv4 in hex', 'https://0x7f000001/mcp'],
    ['IPv4 in octal', 'https://0177.0.0.1/mcp'],
    ['IPv4 in mixed short form', 'https://10.1/mcp'],
    ['0.0.0.0', 'https://0.0.0.0/mcp'],
    ['an IPv6 literal', 'https://[2001:db8::1]/mcp'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/mcp'],
    ['IPv6 loopback', 'https://[::1]/mcp'],
    ['localhost', 'https://localhost/mcp'],
    ['a name under localhost', 'https://evil.localhost/mcp'],
    ['127.0.0.1', 'https://127.0.0.1/mcp'],
    ['a single-label host', 'https://intranet/mcp'],
    ['user and password', 'https://user:secret@mcp.example.com/mcp'],
    ['a user name', 'https://user@mcp.example.com/mcp'],
    ['an empty user information', 'https://@mcp.example.com/mcp'],
    ['a fragment', 'https://mcp.example.com/mcp#section'],
    ['an empty fragment', 'https://mcp.example.com/mcp#'],
    ["Latchkey's own host", 'https://latchkey.example.com/mcp'],
    ["Latchkey's own host in capitals with a trailing dot", 'https://LATCHKEY.example.com./mcp'],
    ["Latchkey's own host on another port", 'https://latchkey.example.com:8443/mcp'],
    ['a URL over the length limit', `https://mcp.example.com/${'a'.repeat(MAX_DISCOVERED_URL_LENGTH)}`],
  ])('refuses %s', async (_case, url) => {
    const error = await discoveryError(() => checkDiscoveredUrl(url, 'The URL', DEPLOYED))
    expect(error.code).toBe('discovered_url_refused')
    expect(error.status).toBe(400)
    // The URL is attacker-chosen text (and a user's may carry a secret): never quoted back.
    expect(error.message).not.toContain(url)
    expect(error.message).not.toContain('example.com')
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', ['https://mcp.example.com']],
  ])('refuses %s instead of a URL string', async (_case, value) => {
    expect((await discoveryError(() => checkDiscoveredUrl(value, 'The URL', DEPLOYED))).code).toBe('discovered_url_refused')
  })

  it('accepts a URL exactly at the length limit', () => {
    const url = `https://mcp.example.com/${'a'.repeat(MAX_DISCOVERED_URL_LENGTH - 'https://mcp.example.com/'.length)}`
    expect(checkDiscoveredUrl(url, 'The URL', DEPLOYED).href).toBe(url)
  })

  describe('with ALLOW_INSECURE_LOOPBACK (tests and local development only)', () => {
    it.each([
      ['http on 127.0.0.1', 'http://127.0.0.1:9090/mcp'],
      ['http on localhost', 'http://localhost:9090/mcp'],
      ['http on [::1]', 'http://[::1]:9090/mcp'],
      ['https on localhost', 'https://localhost:9443/mcp'],
      ['a loopback IPv4 in hex', 'http://0x7f000001:9090/mcp'],
    ])('accepts %s', (_case, url) => {
      expect(checkDiscoveredUrl(url, 'The URL', LOCAL).protocol).toMatch(/^https?:$/)
    })

    it.each([
      ['http on a public host', 'http://mcp.example.com/mcp'],
      ['a private IPv4', 'http://10.0.0.1/mcp'],
      ['a name under localhost', 'http://evil.localhost:9090/mcp'],
      ["Latchkey's own port on localhost", 'http://localhost:8787/mcp'],
      ["Latchkey's own port on 127.0.0.1", 'http://127.0.0.1:8787/oauth/callback'],
      ["Latchkey's own port on [::1]", 'http://[::1]:8787/'],
    ])('still refuses %s', async (_case, url) => {
      expect((await discoveryError(() => checkDiscoveredUrl(url, 'The URL', LOCAL))).code).toBe('discovered_url_refused')
    })
  })

  it('refuses loopback without the setting even when Latchkey itself is elsewhere', async () => {
    const policy: DiscoveredUrlPolicy = { latchkeyBaseUrl: undefined, allowInsecureLoopback: false }
    expect((await discoveryError(() => checkDiscoveredUrl('http://127.0.0.1:9090/mcp', 'The URL', policy))).code).toBe('discovered_url_refused')
  })
})
