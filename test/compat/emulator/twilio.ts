/**
 * Twilio with the Account SID and Auth Token, as documented at
 * https://www.twilio.com/docs/usage/requests-to-twilio#authenticate-with-http:
 * - HTTP Basic on every request, the Account SID (`AC` + 32 hex digits) as the user name and
 *   the Auth Token (32 hex digits) as the password;
 * - an account's resources live under /2010-04-01/Accounts/<AccountSid>; the account itself is
 *   /2010-04-01/Accounts/<AccountSid>.json (https://www.twilio.com/docs/iam/api/account);
 * - wrong credentials are 401 with error 20003 (https://www.twilio.com/docs/errors/20003); an
 *   account the credentials do not own is 404 with error 20404;
 * - list resources page with `PageSize` (https://www.twilio.com/docs/usage/twilios-response#pagination).
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { basicCredentials, credentialProvider, HEX, randomOf } from './credential-provider.ts'

/** The credentials of an account the emulator opened (control action `account`). */
export interface TwilioAccount {
  grant: string
  credentials: { accountSid: string; authToken: string }
}

/** A fresh Twilio emulator: each `account` control call opens an account with its own SID and Auth Token. */
export function twilio(): ProviderEmulator {
  return credentialProvider({
    key: 'twilio',
    hosts: ['api.twilio.com'],
    newAccount: () => {
      const sid = `AC${randomOf(HEX, 32)}`
      return { id: sid, credentials: { accountSid: sid, authToken: randomOf(HEX, 32) } }
    },
    // The SID names the account even when the token is wrong: the log says whose request it was.
    authenticate: (request, accounts) => {
      const basic = basicCredentials(request)
      const account = accounts.find((candidate) => candidate.credentials['accountSid'] === basic?.username) ?? null
      return { account, valid: account !== null && account.credentials['authToken'] === basic?.password }
    },
    reject: () =>
      json(
        401,
        { code: 20003, detail: 'Your AccountSid or AuthToken was incorrect.', message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 },
        { 'WWW-Authenticate': 'Basic realm="Twilio API"' },
      ),
    api: [
      {
        method: 'GET',
        url: 'https://api.twilio.com/2010-04-01/Accounts/{sid}.json',
        handle: ({ params, account }) =>
          params['sid'] !== account.id
            ? notFound(params['sid'] ?? '')
            : json(200, {
                sid: account.id,
                friendly_name: 'Compat Support Line',
                status: 'active',
                type: 'Full',
                owner_account_sid: account.id,
                date_created: 'Tue, 03 Mar 2026 09:12:44 +0000',
                uri: `/2010-04-01/Accounts/${account.id}.json`,
              }),
      },
      {
        method: 'GET',
        url: 'https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json',
        handle: ({ request, params, account }) => {
          if (params['sid'] !== account.id) return notFound(params['sid'] ?? '')
          const pageSize = Number(request.url.searchParams.get('PageSize') ?? '50')
          return json(200, {
            messages: [{ sid: `SM${'0'.repeat(32)}`, account_sid: account.id, body: 'Your code is 123456', status: 'delivered', to: '+15558675310' }].slice(0, pageSize),
            page: 0,
            page_size: pageSize,
            uri: `/2010-04-01/Accounts/${account.id}/Messages.json?PageSize=${pageSize}&Page=0`,
          })
        },
      },
    ],
  })
}

function notFound(sid: string): Response {
  return json(404, {
    code: 20404,
    message: `The requested resource /2010-04-01/Accounts/${sid}.json was not found`,
    more_info: 'https://www.twilio.com/docs/errors/20404',
    status: 404,
  })
}
