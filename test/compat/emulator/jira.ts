/**
 * Jira Cloud with an API token, as documented at
 * https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/:
 * - HTTP Basic with the Atlassian account's email address and an API token, on the site's own
 *   host `https://<site>.atlassian.net` (the OAuth 2.0 apps of atlassian.ts go through
 *   api.atlassian.com instead: the hosts do not overlap);
 * - GET /rest/api/3/myself is the user the token acts for
 *   (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/);
 * - wrong credentials are 401 "Client must be authenticated to access this resource."; a site
 *   the user is not on is 404.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { ALPHANUMERIC, basicCredentials, credentialProvider, HEX, randomOf } from './credential-provider.ts'

/** The credentials of an account the emulator opened (control action `account`): a site, a user on it and an API token. */
export interface JiraAccount {
  grant: string
  credentials: { site: string; email: string; apiToken: string }
}

/** A fresh Jira Cloud emulator: each `account` control call opens a site with one user and an API token. */
export function jira(): ProviderEmulator {
  return credentialProvider({
    key: 'jira',
    hosts: ['*.atlassian.net'],
    newAccount: () => {
      const accountId = `712020:${crypto.randomUUID()}`
      const site = `compat-${randomOf(HEX, 8)}`
      return {
        id: accountId,
        credentials: { site, email: `mia.${randomOf(HEX, 6)}@example.com`, apiToken: `ATATT3xFfGF0${randomOf(ALPHANUMERIC, 180)}=${randomOf(HEX, 8).toUpperCase()}` },
      }
    },
    // The email names the account even when the token is wrong: the log says whose request it was.
    authenticate: (request, accounts) => {
      const basic = basicCredentials(request)
      const account = accounts.find((candidate) => candidate.credentials['email'] === basic?.username) ?? null
      return { account, valid: account !== null && account.credentials['apiToken'] === basic?.password }
    },
    reject: () =>
      new Response('Client must be authenticated to access this resource.', {
        status: 401,
        headers: { 'Content-Type': 'text/html;charset=UTF-8', 'WWW-Authenticate': 'Basic realm="protected-by-api-token"' },
      }),
    api: [
      {
        method: 'GET',
        url: 'https://{site}.atlassian.net/rest/api/3/myself',
        handle: ({ params, account }) =>
          params['site'] !== account.credentials['site']
            ? siteNotFound()
            : json(200, {
                self: `https://${params['site']}.atlassian.net/rest/api/3/user?accountId=${account.id}`,
                accountId: account.id,
                accountType: 'atlassian',
                emailAddress: account.credentials['email'],
                displayName: 'Mia Krystof',
                active: true,
                timeZone: 'Europe/Berlin',
              }),
      },
      {
        method: 'GET',
        url: 'https://{site}.atlassian.net/rest/api/3/project/search',
        handle: ({ params, account }) =>
          params['site'] !== account.credentials['site']
            ? siteNotFound()
            : json(200, { startAt: 0, maxResults: 50, total: 1, isLast: true, values: [{ id: '10000', key: 'COMPAT', name: 'Compat' }] }),
      },
    ],
  })
}

function siteNotFound(): Response {
  return json(404, { errorMessages: ['Site not found or not accessible with these credentials.'], errors: {} })
}
