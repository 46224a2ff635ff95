/** Written for Latchkey (the export references this file without containing it): the token can read its own user. */
export default async function test({ apiClient }) {
  const me = await apiClient.get('/v1/me')
  return typeof me?.email === 'string'
}
