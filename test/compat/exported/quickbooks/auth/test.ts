/** Written for Latchkey (the export references this file without containing it): the company is readable. */
export default async function test({ apiClient, credentials }: { apiClient: { get(path: string): Promise<unknown> }; credentials: { realmId?: string } }): Promise<boolean> {
  const body = (await apiClient.get(`/companyinfo/${credentials.realmId ?? ''}`)) as { CompanyInfo?: unknown } | null
  return body?.CompanyInfo !== undefined
}
