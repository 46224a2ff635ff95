/** Connection test: the token can read its own bot user (GET /users/me). */
export async function test(args: { apiClient: { get(path: string): Promise<unknown> } }): Promise<boolean> {
  const user = (await args.apiClient.get('/users/me')) as { object?: unknown } | null
  return user?.object === 'user'
}
