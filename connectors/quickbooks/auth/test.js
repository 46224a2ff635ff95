// Connection test: the token can read the connected company's CompanyInfo.
exports.test = async function ({ credentials, apiClient }) {
  const body = await apiClient.get(`/companyinfo/${credentials.realmId}`)
  return typeof body?.CompanyInfo === 'object' && body.CompanyInfo !== null
}
