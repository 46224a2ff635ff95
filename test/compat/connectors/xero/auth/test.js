// The connected organisation (https://developer.xero.com/documentation/api/accounting/organisation).
export default async function test({ apiClient, credentials }) {
  const { Organisations } = await apiClient.get('/Organisation')
  return Organisations[0].OrganisationID === credentials.tenantId
}
