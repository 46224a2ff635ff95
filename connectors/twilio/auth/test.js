/**
 * Connection test: fetch the account itself, GET /2010-04-01/Accounts/<AccountSid>.json. That
 * URL is one level above baseUri (the account's resources are below it), so the test names it
 * in full: a connector's own methods may call an absolute https URI, while the proxy for other
 * Workers stays under baseUri. A wrong SID or token is answered 401 (error 20003).
 * https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
 */
export async function test({ apiClient, connectionInput }) {
  const sid = connectionInput.accountSid
  const account = await apiClient.get(`https://api.twilio.com/2010-04-01/Accounts/${sid}.json`)
  return account?.sid === sid
}
