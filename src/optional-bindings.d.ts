/**
 * Optional bindings `wrangler types` cannot emit into worker-configuration.d.ts: a secret only
 * some deployments set (wrangler.toml's `[secrets]` lists required ones, and a `[vars]` entry of
 * the same name would make `wrangler secret put` fail), a queue only some deployments bind, and
 * the HTTP API's rate limiter, which a deployment may remove.
 * Every other optional setting is declared, empty, in wrangler.toml's `[vars]`.
 */
declare namespace Cloudflare {
  interface Env {
    /** HMAC key of connection-event webhooks (connection/events/webhook-signature.ts). */
    EVENTS_WEBHOOK_SECRET?: string
    /** HMAC key of the application's HTTP user-verification confirmations (S21, flow/user-verification.ts). */
    USER_VERIFY_SECRET?: string
    /** Queue producer binding that receives every connection event. */
    EVENTS_QUEUE?: Queue
    /**
     * The HTTP API's keys (http-api/api-keys.ts): JSON of key id to `{hash, scopes, tenants?, name?}`,
     * hashes only. A secret, so not in `[vars]`; unset leaves the HTTP API off.
     */
    API_KEYS?: string
    /**
     * The HTTP API's per-key rate limiter (wrangler.toml `[[ratelimits]]`, http-api/rate-limit.ts);
     * optional because a deployment may remove the block (then no call is limited). If
     * `wrangler types` is run again it emits this name into worker-configuration.d.ts: remove it here then.
     */
    API_RATE_LIMITER?: RateLimit
    /** Per-tenant limit on connect starts that discover a resource (wrangler.toml `[[ratelimits]]`); optional like API_RATE_LIMITER. */
    DISCOVERY_RATE_LIMITER?: RateLimit
    /**
     * Pre-registered clients of discovered connections (src/registration/): JSON of issuer to
     * `{clientId, clientSecret?, tokenEndpointAuthMethod?}`. A secret; unset means none.
     */
    MCP_CLIENTS?: string
    /**
     * Test-only override of the client ID metadata document URL (honoured only with
     * ALLOW_INSECURE_LOOPBACK="true"): the conformance suite expects its own https URL.
     */
    MCP_CLIENT_METADATA_URL?: string
  }
}
