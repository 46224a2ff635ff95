/** Connection test: the token can read the authenticated user (GET /user). */
export default async function test({ apiClient }) {
  const user = await apiClient.get('/user')
  return typeof user?.login === 'string'
}
