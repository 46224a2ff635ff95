/** Written for Latchkey (the export references this file without containing it): the tenant's organisation is readable. */
export default async function test({ apiClient }: { apiClient: { get(path: string): Promise<unknown> } }): Promise<boolean> {
  const body = (await apiClient.get('/Organisation')) as { Organisations?: unknown[] } | null
  return Array.isArray(body?.Organisations) && body.Organisations.length > 0
}
