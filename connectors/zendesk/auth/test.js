/** Connection test: the token can read the user it acts for (GET /users/me). */
export async function test({ apiClient }) {
  const body = await apiClient.get('/users/me')
  // An anonymous caller gets a user too, but without an id.
  return typeof body?.user?.id === 'number'
}
