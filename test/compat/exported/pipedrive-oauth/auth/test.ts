/** Written for Latchkey in the older layout's style: the token can read its own user. */
export default async function testAuth({ apiClient }: { apiClient: { get(path: string): Promise<{ success?: boolean }> } }) {
  const result = await apiClient.get('/users/me')
  if (!result.success) throw new Error('Test failed: unexpected response from `/users/me` request')
  return true
}
