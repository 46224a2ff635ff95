/**
 * Stripe with a secret API key, as documented at https://docs.stripe.com/api/authentication:
 * - the key authenticates every request as `Authorization: Bearer sk_...` (or as the user
 *   name of HTTP Basic, which Stripe also takes); keys are `sk_test_`/`sk_live_` (restricted:
 *   `rk_`) followed by letters and digits (https://docs.stripe.com/keys);
 * - a missing or wrong key is 401 with an `invalid_request_error` naming the key's last four
 *   characters (https://docs.stripe.com/error-codes);
 * - GET /v1/account retrieves the key's own account (https://docs.stripe.com/api/accounts/retrieve),
 *   list endpoints answer `{object: "list", data, has_more, url}` (https://docs.stripe.com/api/pagination).
 */
import { json } from './emulator.ts'
import type { EmulatedRequest, ProviderEmulator } from './emulator.ts'
import { ALPHANUMERIC, basicCredentials, credentialProvider, randomOf } from './credential-provider.ts'

/** The credentials of an account the emulator opened (control action `account`). */
export interface StripeAccount {
  grant: string
  credentials: { secretKey: string }
}

/** A fresh Stripe emulator: each `account` control call opens an account with its own test-mode secret key. */
export function stripe(): ProviderEmulator {
  return credentialProvider({
    key: 'stripe',
    hosts: ['api.stripe.com'],
    newAccount: () => ({ id: `acct_${randomOf(ALPHANUMERIC, 16)}`, credentials: { secretKey: `sk_test_51${randomOf(ALPHANUMERIC, 96)}` } }),
    authenticate: (request, accounts) => {
      const key = presentedKey(request)
      const account = accounts.find((candidate) => candidate.credentials['secretKey'] === key) ?? null
      return { account, valid: account !== null }
    },
    reject: (request) => {
      const key = presentedKey(request)
      const message =
        key === null
          ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
          : `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
      return json(401, { error: { message, type: 'invalid_request_error' } }, { 'WWW-Authenticate': 'Bearer realm="Stripe"', 'Request-Id': `req_${randomOf(ALPHANUMERIC, 14)}` })
    },
    api: [
      {
        method: 'GET',
        url: 'https://api.stripe.com/v1/account',
        handle: ({ account }) =>
          json(200, {
            id: account.id,
            object: 'account',
            business_profile: { name: 'Compat Coffee Roasters' },
            charges_enabled: true,
            country: 'DE',
            default_currency: 'eur',
            email: 'owner@compat-coffee.example',
            type: 'standard',
          }),
      },
      {
        method: 'GET',
        url: 'https://api.stripe.com/v1/customers',
        handle: ({ request }) => {
          const limit = Number(request.url.searchParams.get('limit') ?? '10')
          const customers = [
            { id: 'cus_Compat0001', object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace' },
            { id: 'cus_Compat0002', object: 'customer', email: 'alan@example.com', name: 'Alan Turing' },
          ]
          return json(200, { object: 'list', data: customers.slice(0, limit), has_more: limit < customers.length, url: '/v1/customers' })
        },
      },
    ],
  })
}

/** The secret key of a request: the Bearer token, or the user name of HTTP Basic. */
function presentedKey(request: EmulatedRequest): string | null {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get('Authorization') ?? '')
  if (bearer?.[1] !== undefined) return bearer[1]
  return basicCredentials(request)?.username || null
}
