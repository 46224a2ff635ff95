/**
 * GET /oauth/client-metadata.json through the whole Worker: the document an authorization server
 * fetches for Latchkey's client_id (draft-ietf-oauth-client-id-metadata-document), served only
 * where its URL can be a client_id, and naming exactly the client_id discovered connections send.
 */
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index.ts'
import { clientIdentityFor } from '../../src/registration/client-identity.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const DOCUMENT_URL = 'https://latchkey.test/oauth/client-metadata.json'

/** The test pool's environment with some variables replaced (a fresh object: its own settings). */
function envWith(variables: Record<string, string>): Env {
  return { ...env, ...variables } as unknown as Env
}

/** The Worker's answer to `url` under another environment than the test pool's. */
async function fetchWith(url: string, workerEnv: Env): Promise<Response> {
  const context = createExecutionContext()
  const response = await worker.fetch(new Request(url), workerEnv, context)
  await waitOnExecutionContext(context)
  return response
}

describe('the client ID metadata document route', () => {
  it('serves the document as JSON, its client_id being its own URL', async () => {
    const response = await SELF.fetch(DOCUMENT_URL)

    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600')
    expect(await response.json()).toEqual({
      client_id: DOCUMENT_URL,
      client_name: 'Latchkey',
      redirect_uris: ['https://latchkey.test/oauth/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
    })
  })

  it('names the same client_id a discovered connection sends to a CIMD server', async () => {
    const scenario = new UpstreamScenario()
    const identity = await clientIdentityFor(env, {
      resource: `${scenario.base}/mcp`,
      resourceMetadataUrl: `${scenario.base}/.well-known/oauth-protected-resource/mcp`,
      issuer: scenario.issuer,
      authorizationEndpoint: `${scenario.base}/authorize`,
      tokenEndpoint: `${scenario.base}/token`,
      registrationEndpoint: null,
      clientIdMetadataDocumentSupported: true,
      tokenEndpointAuthMethodsSupported: ['none'],
      issParameterSupported: true,
      scopes: null,
      offlineAccessSupported: false,
    })

    const document = (await (await SELF.fetch(DOCUMENT_URL)).json()) as { client_id: string }

    expect(identity.clientId).toBe(document.client_id)
  })

  it('carries the application name of APP_NAME', async () => {
    const response = await fetchWith(DOCUMENT_URL, envWith({ APP_NAME: 'Acme Connect' }))
    expect(await response.json()).toMatchObject({ client_name: 'Acme Connect' })
  })

  it('is the ordinary 404 where PUBLIC_BASE_URL is http: a client_id must be https', async () => {
    const response = await fetchWith('http://localhost:8787/oauth/client-metadata.json', envWith({ PUBLIC_BASE_URL: 'http://localhost:8787' }))

    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('route_not_found')
  })

  it('serves the test-only override URL as client_id, with the deployment redirect URI', async () => {
    const override = 'https://conformance-test.local/client-metadata.json'
    const response = await fetchWith('http://localhost:8787/oauth/client-metadata.json', envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', MCP_CLIENT_METADATA_URL: override }))

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ client_id: override, redirect_uris: ['http://localhost:8787/oauth/callback'] })
  })

  it('answers only GET (and HEAD): a POST is not a route', async () => {
    const response = await SELF.fetch(DOCUMENT_URL, { method: 'POST', body: '{}' })
    expect(response.status).toBe(404)
  })
})
