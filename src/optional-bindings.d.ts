/**
 * Optional bindings `wrangler types` cannot emit into worker-configuration.d.ts: a secret only
 * some deployments set (wrangler.toml's `[secrets]` lists required ones, and a `[vars]` entry of
 * the same name would make `wrangler secret put` fail) and a queue only some deployments bind.
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
  }
}
