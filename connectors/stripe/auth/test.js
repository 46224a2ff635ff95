/**
 * Connection test: the key reads its own account (GET /v1/account). A wrong or revoked key is
 * answered 401, which fails the test: the connection is not created.
 * https://docs.stripe.com/api/accounts/retrieve
 */
export default async function test({ apiClient }) {
  const account = await apiClient.get('/account')
  return account?.object === 'account' && typeof account.id === 'string'
}
