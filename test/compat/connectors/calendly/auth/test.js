/**
 * Connection test: the token reads the current user (GET /users/me), and that user is the
 * `owner` the token response named.
 * https://developer.calendly.com/api-docs/calendly-api/users/get-current-user
 */
export async function test({ apiClient, credentials }) {
  const { resource } = await apiClient.get('/users/me')
  return typeof resource?.uri === 'string' && resource.uri === credentials.owner
}
