/**
 * Latchkey's client ID metadata document (src/registration/client-metadata-document.ts): which
 * URL is its client_id (https PUBLIC_BASE_URL only; the test-only override only with
 * ALLOW_INSECURE_LOOPBACK), which URLs may be one at all, and what the document says.
 */
import { describe, expect, it } from 'vitest'
import { clientMetadataDocument, clientMetadataUrl, isClientIdUrl } from '../../src/registration/client-metadata-document.ts'

/** A Worker environment with just what the document reads; a fresh object gets fresh settings. */
function envWith(variables: Record<string, string>): Env {
  return { ALLOW_INSECURE_LOOPBACK: 'false', APP_NAME: '', ...variables } as unknown as Env
}

const OVERRIDE = 'https://conformance-test.local/client-metadata.json'

describe('clientMetadataUrl', () => {
  it('is under an https PUBLIC_BASE_URL', () => {
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'https://latchkey.example.com' }))).toBe('https://latchkey.example.com/oauth/client-metadata.json')
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'https://latchkey.example.com/' }))).toBe('https://latchkey.example.com/oauth/client-metadata.json')
  })

  it('does not exist over http (a client_id must be https)', () => {
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', ALLOW_INSECURE_LOOPBACK: 'true' }))).toBeNull()
  })

  it('is MCP_CLIENT_METADATA_URL with ALLOW_INSECURE_LOOPBACK="true", even when PUBLIC_BASE_URL is http', () => {
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', ALLOW_INSECURE_LOOPBACK: 'true', MCP_CLIENT_METADATA_URL: OVERRIDE }))).toBe(OVERRIDE)
  })

  it('ignores MCP_CLIENT_METADATA_URL without ALLOW_INSECURE_LOOPBACK', () => {
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'https://latchkey.example.com', MCP_CLIENT_METADATA_URL: OVERRIDE }))).toBe(
      'https://latchkey.example.com/oauth/client-metadata.json',
    )
  })

  it.each(['http://conformance-test.local/client-metadata.json', 'not a url', ''])('ignores an override that cannot be a client_id: %j', (override) => {
    expect(clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', ALLOW_INSECURE_LOOPBACK: 'true', MCP_CLIENT_METADATA_URL: override }))).toBeNull()
  })

  it('throws server_misconfigured when PUBLIC_BASE_URL is not an origin', () => {
    expect(() => clientMetadataUrl(envWith({ PUBLIC_BASE_URL: 'https://latchkey.example.com/path' }))).toThrow(expect.objectContaining({ code: 'server_misconfigured' }))
  })
})

describe('isClientIdUrl', () => {
  it.each(['https://app.example.com/client.json', 'https://app.example.com:8443/oauth/client-metadata.json', OVERRIDE])('accepts %s', (url) => {
    expect(isClientIdUrl(url)).toBe(true)
  })

  it.each([
    ['http', 'http://app.example.com/client.json'],
    ['no path', 'https://app.example.com/'],
    ['no path, no slash', 'https://app.example.com'],
    ['a dot segment', 'https://app.example.com/a/../client.json'],
    ['a single-dot segment', 'https://app.example.com/./client.json'],
    ['a fragment', 'https://app.example.com/client.json#x'],
    ['an empty fragment', 'https://app.example.com/client.json#'],
    ['a query', 'https://app.example.com/client.json?v=1'],
    ['user information', 'https://user:pass@app.example.com/client.json'],
    ['an upper-case host (not as serialised)', 'https://APP.example.com/client.json'],
    ['a default port (not as serialised)', 'https://app.example.com:443/client.json'],
    ['not a URL', 'client.json'],
  ])('refuses %s', (_name, url) => {
    expect(isClientIdUrl(url)).toBe(false)
  })
})

describe('clientMetadataDocument', () => {
  it('names itself, the app, the redirect URI, refresh tokens and a public web client', () => {
    expect(clientMetadataDocument(envWith({ PUBLIC_BASE_URL: 'https://latchkey.example.com', APP_NAME: 'Acme Connect' }))).toEqual({
      client_id: 'https://latchkey.example.com/oauth/client-metadata.json',
      client_name: 'Acme Connect',
      redirect_uris: ['https://latchkey.example.com/oauth/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
    })
  })

  it('is called Latchkey without APP_NAME, and has the override as client_id with the real redirect URI', () => {
    expect(clientMetadataDocument(envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', ALLOW_INSECURE_LOOPBACK: 'true', MCP_CLIENT_METADATA_URL: OVERRIDE }))).toMatchObject({
      client_id: OVERRIDE,
      client_name: 'Latchkey',
      redirect_uris: ['http://localhost:8787/oauth/callback'],
    })
  })

  it('does not exist without a URL', () => {
    expect(clientMetadataDocument(envWith({ PUBLIC_BASE_URL: 'http://127.0.0.1:8787', ALLOW_INSECURE_LOOPBACK: 'true' }))).toBeNull()
  })
})
