/**
 * Connection test: the token reads the member it was issued to (GET /1/members/me).
 * https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-get
 */
exports.test = async function test({ apiClient }) {
  // A query parameter of the call is signed along with key and token (RFC 5849 §3.4.1.3).
  const member = await apiClient.get('/members/me', { fields: 'id,username' })
  return typeof member?.id === 'string'
}
