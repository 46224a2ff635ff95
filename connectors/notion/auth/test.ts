/** Connection test: the token can read its own bot user (GET /users/me). */
export async function test(args: Record<string, unknown>): Promise<boolean> {
  const apiClient = args.apiClient as { baseUri: string; headers: Record<string, string> }
  const response = await fetch(`${apiClient.baseUri}/users/me`, { headers: apiClient.headers })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`Notion answered ${response.status} to GET /users/me.`)
  }
  const user = (await response.json()) as { object?: unknown }
  return user.object === 'user'
}
