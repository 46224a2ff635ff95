// Connection test: the token can read the connected company's CompanyInfo.
exports.test = async function ({ credentials, apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/companyinfo/${credentials.realmId}`, { headers: apiClient.headers })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`QuickBooks answered ${response.status} to GET companyinfo.`)
  }
  const body = await response.json()
  return typeof body?.CompanyInfo === 'object' && body.CompanyInfo !== null
}
