/**
 * The syntax of OAuth client credentials (RFC 6749 appendix A.1 / A.2): a `client_id` or
 * `client_secret` is one or more printable ASCII characters (VSCHAR). Checked wherever one
 * enters Latchkey: MCP_CLIENTS and a registration endpoint's answer.
 */

/** RFC 6749 appendix A.1 / A.2: `client_id` and `client_secret` are `1*VSCHAR`, %x20-7E. */
export const VSCHAR = /^[\x20-\x7e]+$/
