/** Written for Latchkey in the older layout's style: the token can read its own user. */
export default async function testAuth({ apiClient }: { apiClient: { get(path: string): Promise<{ success?: boolean }> } }) {
  const result = await apiClient.get('/users/me')
  return result.success === true
}
