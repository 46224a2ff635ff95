// The bot token is the top-level access_token of an oauth.v2.access answer; the workspace is
// `team` (https://docs.slack.dev/reference/methods/oauth.v2.access). Keep both, flat.
exports.getCredentialsFromTokenResponse = async function ({ tokenResponse }) {
  return {
    ...tokenResponse,
    teamId: tokenResponse.team && tokenResponse.team.id,
    teamName: tokenResponse.team && tokenResponse.team.name,
  }
}
