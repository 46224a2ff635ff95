// auth.test checks the token and names the workspace (https://docs.slack.dev/reference/methods/auth.test).
exports.test = async function ({ apiClient }) {
  const response = await apiClient.post('/auth.test')
  return response.ok === true && typeof response.team_id === 'string'
}
