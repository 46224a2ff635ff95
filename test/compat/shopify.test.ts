/**
 * Shopify's connector (test/compat/connectors/shopify/), unchanged, against the Shopify
 * emulator: the shop from the connection input in every URL, comma-separated scopes through
 * `extra`, no PKCE, a token response with neither token_type nor refresh token, and the
 * `X-Shopify-Access-Token` header. Shopify issues no refresh token (noRefreshToken), so the
 * refresh step here proves that a refresh is refused cleanly with its code.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, expectCompiled, latchkey, latchkeyErrorCode, startConnect } from './drive-connector.ts'
import { EmulatorControl, expectNoUnexpectedOutbound } from './emulator-control.ts'
import { SHOPIFY_CLIENT } from './emulator/shopify.ts'
import { expectAuthorizeUrl, expectClientAuthentication, REDIRECT_URI, STATE } from './expectations.ts'

const shopify = new EmulatorControl('shopify')
const shop = { input: { shop: 'compat-store' } }

afterEach(expectNoUnexpectedOutbound)

describe('Shopify', () => {
  it('is compiled into the registry', () => {
    expectCompiled('shopify')
  })

  it("sends the user to the shop's own authorize URL with comma-separated scopes and no PKCE", async () => {
    const { authorizeUrl } = await startConnect('shopify', shop)
    expectAuthorizeUrl(authorizeUrl, 'https://compat-store.myshopify.com/admin/oauth/authorize', {
      response_type: 'code',
      client_id: SHOPIFY_CLIENT.id,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      scope: 'read_products,read_orders',
    })
  })

  it('exchanges the code at the shop with client credentials in the body and no code_verifier', async () => {
    const connection = await connect('shopify', shop)
    expect(connection.callbackUrl.searchParams.get('shop')).toBe('compat-store.myshopify.com')
    const [exchange, ...others] = await shopify.requests(connection.grant, 'token')
    expect(others).toEqual([])
    expect(exchange).toMatchObject({
      method: 'POST',
      url: 'https://compat-store.myshopify.com/admin/oauth/access_token',
      form: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI },
    })
    expectClientAuthentication(exchange!, 'body', SHOPIFY_CLIENT)
    expect(exchange?.form?.['code_verifier']).toBeUndefined()
  })

  it('stores the token of a response without token_type and tests the shop with X-Shopify-Access-Token', async () => {
    const connection = await connect('shopify', shop)
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({
      status: 'connected',
      lastError: null,
      testResult: { ok: true },
      expiresAt: null,
    })
    const token = await shopify.latestAccessToken(connection.grant)
    const calls = await shopify.requests(connection.grant, 'api')
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['GET https://compat-store.myshopify.com/admin/api/2025-01/shop.json'])
    expect(calls[0]?.headers['x-shopify-access-token']).toBe(token)
    expect(calls[0]?.headers['authorization']).toBeUndefined()
    expect(await latchkey.getAccessToken(connection.tenant, connection.connectionId)).toEqual({ accessToken: token, expiresAt: null })
  })

  it('refuses a refresh cleanly (refresh_failed): Shopify issues no refresh token, so none is requested and the connection stays as it was', async () => {
    const connection = await connect('shopify', shop)
    const token = await shopify.latestAccessToken(connection.grant)
    expect(await latchkeyErrorCode(() => latchkey.refresh(connection.tenant, connection.connectionId))).toBe('refresh_failed')
    expect((await shopify.requests(connection.grant, 'token')).map((request) => request.form?.['grant_type'])).toEqual(['authorization_code'])
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected' })
    expect((await latchkey.getAccessToken(connection.tenant, connection.connectionId)).accessToken).toBe(token)
  })

  it('proxies an Admin API call to the shop with X-Shopify-Access-Token', async () => {
    const connection = await connect('shopify', shop)
    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/products.json' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ products: [{ id: 632910392 }] })
    const call = (await shopify.requests(connection.grant, 'api')).at(-1)
    expect(call?.url).toBe('https://compat-store.myshopify.com/admin/api/2025-01/products.json')
    expect(call?.headers['x-shopify-access-token']).toBe(await shopify.latestAccessToken(connection.grant))
  })
})
