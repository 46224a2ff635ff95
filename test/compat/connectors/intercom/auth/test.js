// Connection test: the token identifies the admin who installed the app (GET /me, which needs
// the "Read admins" permission).
// https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin
exports.test = async function ({ apiClient }) {
  const admin = await apiClient.get('/me')
  return admin?.type === 'admin' && typeof admin.id === 'string'
}
