/**
 * How a refresh is planned: the getOAuthConfig a refresh evaluates sees the same redirect URI
 * as the connect flow (S5), whatever the shape of PUBLIC_BASE_URL.
 */
import { describe, expect, it } from 'vitest'
import { planRefresh } from '../../src/connection/credential-refresh.ts'
import { compileMapping } from '../../src/formula/index.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { readSettings } from '../../src/settings.ts'

/** A connector whose getOAuthConfig puts the redirect URI it was given into `extra`. */
function connectorEchoingRedirectUri(): CompiledConnector {
  const compiled = compileMapping({
    clientId: 'client',
    authorizeUri: 'https://auth.example/authorize',
    tokenUri: 'https://auth.example/token',
    extra: { seen_redirect_uri: { $var: 'redirectUri' } },
  })
  if (!compiled.ok) throw new Error('the test mapping does not compile')
  return {
    key: 'echo-redirect-uri',
    name: 'Echo',
    auth: { type: 'oauth2', methods: { getOAuthConfig: { implementationType: 'mapping', mapping: compiled.node, source: 'test' } } },
  }
}

describe('planRefresh', () => {
  it.each(['https://latchkey.example.com', 'https://latchkey.example.com/'])("S5 getOAuthConfig sees the flow's redirect URI with PUBLIC_BASE_URL %s", async (publicBaseUrl) => {
    const env = { PUBLIC_BASE_URL: publicBaseUrl } as unknown as Env
    const plan = await planRefresh(connectorEchoingRedirectUri(), readSettings(env), {}, { access_token: 'at', refresh_token: 'rt' })
    expect(plan.kind === 'refresh_grant' && plan.config.extra).toEqual({ seen_redirect_uri: 'https://latchkey.example.com/oauth/callback' })
  })
})
