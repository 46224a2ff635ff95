/**
 * The deployment settings: every Worker variable, secret and optional binding Latchkey reads,
 * typed and read once per `env` object (`readSettings`), so no layer below the routes sees
 * the raw environment. Optional variables are declared in wrangler.toml (empty = unset) and
 * src/optional-bindings.d.ts, so `wrangler types` and the compiler know every name.
 *
 * A setting that only some routes need is checked when first used: a bad PUBLIC_BASE_URL
 * fails the routes that build URLs with it (`server_misconfigured`), not `/health`.
 */
import { LatchkeyError } from './errors.ts'
import { brandFrom, type Brand } from './http/brand.ts'
import { isLoopbackHost } from './loopback-host.ts'

/** The path of the one callback route; the redirect URI is PUBLIC_BASE_URL plus this. */
export const CALLBACK_PATH = '/oauth/callback'

/** Token request timeout when `TOKEN_REQUEST_TIMEOUT_MS` is unset or not a whole number. */
export const DEFAULT_TOKEN_REQUEST_TIMEOUT_MS = 10_000

/** Bounds of the retry loop around one refresh (connection/retry-policy.ts applies them). */
export interface RefreshRetrySettings {
  /** Total tries of the token request, the first included (at least 1). */
  maxAttempts: number
  /** Backoff before try n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number
  /** No single wait is longer; a `Retry-After` asking for more ends the retries. */
  maxDelayMs: number
  /** Abort one token request after this long; the code exchange's timeout too. */
  requestTimeoutMs: number
}

/** Production defaults: 3 tries, waits of at most 4 s, 10 s per request. */
export const DEFAULT_REFRESH_RETRY: Readonly<RefreshRetrySettings> = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000, requestTimeoutMs: DEFAULT_TOKEN_REQUEST_TIMEOUT_MS }

/** How long an API call rate-limited by the provider keeps retrying (connection/send-api-call.ts). */
export interface ApiRetrySettings {
  /** First backoff ceiling; doubles per retry (full jitter). */
  baseDelayMs: number
  /** Total time one call may spend waiting. */
  maxWaitMs: number
}

/** Production defaults: waits starting at up to 1 s, at most 30 s in all per call. */
export const DEFAULT_API_RETRY: Readonly<ApiRetrySettings> = { baseDelayMs: 1_000, maxWaitMs: 30_000 }

/** Where connection events go (connection/events/deliver-event.ts validates the webhook URL and pairing). */
export interface EventSettings {
  /** `EVENTS_WEBHOOK_URL`, unset when empty. */
  webhookUrl: string | undefined
  /** `EVENTS_WEBHOOK_SECRET`, unset when empty. */
  webhookSecret: string | undefined
  /** The `EVENTS_QUEUE` binding, when the deployment declares one. */
  queue: Queue<unknown> | undefined
}

/** The raw credential-encryption settings (connection/credential-encryption.ts imports the keys). */
export interface CredentialKeySettings {
  /** `CREDENTIALS_KEYS`: JSON `{"<kid>": "<base64 32-byte key>"}`. */
  keys: string | undefined
  /** `CREDENTIALS_KEY_ID`: the kid that seals new data; unset when empty. */
  currentKeyId: string | undefined
}

/** The optional user verifier (S21, flow/user-verification.ts). */
export interface UserVerificationSettings {
  /** `USER_VERIFY_URL`: the application's page a finished authorization is sent to before it is stored. */
  url: string
  /** `USER_VERIFY_SECRET`: HMAC key of the application's HTTP confirmations; unset, only RPC confirms. */
  secret: string | undefined
}

/** The opt-in HTTP API under /v1 (http-api/: api-keys.ts parses the keys, rate-limit.ts applies the limiter). */
export interface HttpApiSettings {
  /** `API_KEYS`: JSON `{"<key id>": {"hash", "scopes", "tenants"?, "name"?}}`; unset or empty leaves the HTTP API off. */
  apiKeys: string | undefined
  /** The `API_RATE_LIMITER` rate-limiting binding (wrangler.toml `[[ratelimits]]`); without it no call is limited. */
  rateLimiter: RateLimit | undefined
}

/** Everything Latchkey reads from the Worker environment. Get it with `readSettings(env)`. */
export interface Settings {
  /** `PUBLIC_BASE_URL` as configured (the development-defaults guard checks it even when invalid). */
  readonly publicBaseUrl: string | undefined
  /**
   * The one redirect URI, `${PUBLIC_BASE_URL}/oauth/callback` (never derived from the Host
   * header). Throws `server_misconfigured` unless PUBLIC_BASE_URL is an https origin (http only
   * for loopback hosts with ALLOW_INSECURE_LOOPBACK="true", S10); a trailing slash is tolerated.
   */
  readonly redirectUri: string
  /** This Worker's public origin (the redirect URI's); throws like `redirectUri`. */
  readonly publicOrigin: string
  /**
   * The origins a flow may return to (S8): ALLOWED_RETURN_ORIGINS plus this Worker's own origin,
   * so the connect page it serves works without listing itself. Throws like `redirectUri`.
   */
  readonly allowedReturnOrigins: ReadonlySet<string>
  /** `ALLOW_INSECURE_LOOPBACK="true"`: http:// is allowed on loopback hosts (local demo, tests; S10). */
  readonly allowInsecureLoopback: boolean
  /** `CONNECT_TOKEN_SECRET`, checked where keys are made from it (flow/signing-keys.ts). */
  readonly connectTokenSecret: string | undefined
  /** `TOKEN_REQUEST_TIMEOUT_MS` (digits, at least 1), else 10000: exchange and refresh alike. */
  readonly tokenRequestTimeoutMs: number
  /** `REFRESH_MAX_ATTEMPTS`, `REFRESH_RETRY_BASE_DELAY_MS`, `REFRESH_RETRY_MAX_DELAY_MS` (digits; anything else keeps the default). */
  readonly refreshRetry: Readonly<RefreshRetrySettings>
  /** `API_RETRY_BASE_DELAY_MS`, `API_RATE_LIMIT_MAX_WAIT_MS` (digits; anything else keeps the default). */
  readonly apiRetry: Readonly<ApiRetrySettings>
  /** `CREDENTIALS_KEYS` and `CREDENTIALS_KEY_ID`. */
  readonly credentialKeys: Readonly<CredentialKeySettings>
  /** `EVENTS_WEBHOOK_URL`, `EVENTS_WEBHOOK_SECRET`, `EVENTS_QUEUE`. */
  readonly events: Readonly<EventSettings>
  /**
   * The user verifier, or null when `USER_VERIFY_URL` is unset (flows complete at the callback).
   * Throws `server_misconfigured` when `USER_VERIFY_URL` is not an absolute https URL (http only
   * on loopback hosts with ALLOW_INSECURE_LOOPBACK, S10) or carries user information or a fragment.
   */
  readonly userVerification: Readonly<UserVerificationSettings> | null
  /** `API_KEYS` and `API_RATE_LIMITER`. */
  readonly httpApi: Readonly<HttpApiSettings>
  /**
   * `APP_NAME` (plain text, at most 64 characters, default "Latchkey") and `APP_ACCENT_COLOR`
   * (`#rrggbb`, default an accessible blue), shown on every page; an invalid value falls back
   * to its default (src/http/brand.ts) and never fails a page.
   */
  readonly brand: Readonly<Brand>
  /**
   * Every string-valued variable and secret by name, empty ones included. Connector parameters
   * (`<KEY>__<PARAM>`, registry/connector-parameters.ts) have names no type can list, so they
   * are read here; so are the development defaults, which may sit in any variable.
   */
  readonly variables: ReadonlyMap<string, string>
}

const cache = new WeakMap<Env, Settings>()

/**
 * The settings of `env`, read on first use and kept for as long as the `env` object lives (one
 * per isolate in production; tests that build their own `env` get their own settings).
 */
export function readSettings(env: Env): Settings {
  let settings = cache.get(env)
  if (settings === undefined) {
    settings = settingsOf(env)
    cache.set(env, settings)
  }
  return settings
}

function settingsOf(env: Env): Settings {
  const publicBaseUrl = optional(env.PUBLIC_BASE_URL)
  const allowInsecureLoopback = isTrue(env.ALLOW_INSECURE_LOOPBACK)
  const tokenRequestTimeoutMs = Math.max(1, wholeNumber(env.TOKEN_REQUEST_TIMEOUT_MS) ?? DEFAULT_TOKEN_REQUEST_TIMEOUT_MS)
  let redirectUri: string | undefined
  let allowedReturnOrigins: ReadonlySet<string> | undefined
  let userVerification: UserVerificationSettings | null | undefined
  return {
    publicBaseUrl,
    get redirectUri(): string {
      redirectUri ??= redirectUriFrom(publicBaseUrl, allowInsecureLoopback)
      return redirectUri
    },
    get publicOrigin(): string {
      return new URL(this.redirectUri).origin
    },
    get allowedReturnOrigins(): ReadonlySet<string> {
      allowedReturnOrigins ??= new Set([...parseAllowedOrigins(env.ALLOWED_RETURN_ORIGINS), this.publicOrigin])
      return allowedReturnOrigins
    },
    allowInsecureLoopback,
    connectTokenSecret: env.CONNECT_TOKEN_SECRET,
    tokenRequestTimeoutMs,
    refreshRetry: {
      maxAttempts: Math.max(1, wholeNumber(env.REFRESH_MAX_ATTEMPTS) ?? DEFAULT_REFRESH_RETRY.maxAttempts),
      baseDelayMs: wholeNumber(env.REFRESH_RETRY_BASE_DELAY_MS) ?? DEFAULT_REFRESH_RETRY.baseDelayMs,
      maxDelayMs: wholeNumber(env.REFRESH_RETRY_MAX_DELAY_MS) ?? DEFAULT_REFRESH_RETRY.maxDelayMs,
      requestTimeoutMs: tokenRequestTimeoutMs,
    },
    apiRetry: {
      baseDelayMs: wholeNumber(env.API_RETRY_BASE_DELAY_MS) ?? DEFAULT_API_RETRY.baseDelayMs,
      maxWaitMs: wholeNumber(env.API_RATE_LIMIT_MAX_WAIT_MS) ?? DEFAULT_API_RETRY.maxWaitMs,
    },
    credentialKeys: { keys: env.CREDENTIALS_KEYS, currentKeyId: optional(env.CREDENTIALS_KEY_ID) },
    events: {
      webhookUrl: optional(env.EVENTS_WEBHOOK_URL),
      webhookSecret: optional(env.EVENTS_WEBHOOK_SECRET),
      queue: isQueue(env.EVENTS_QUEUE) ? env.EVENTS_QUEUE : undefined,
    },
    get userVerification(): UserVerificationSettings | null {
      if (userVerification === undefined) {
        const url = optional(env.USER_VERIFY_URL)
        userVerification = url === undefined ? null : { url: verifyUrlFrom(url, allowInsecureLoopback), secret: optional(env.USER_VERIFY_SECRET) }
      }
      return userVerification
    },
    brand: brandFrom(env.APP_NAME, env.APP_ACCENT_COLOR),
    variables: stringVariables(env),
    httpApi: { apiKeys: optional(env.API_KEYS), rateLimiter: isRateLimit(env.API_RATE_LIMITER) ? env.API_RATE_LIMITER : undefined },
  }
}

function verifyUrlFrom(value: string, allowInsecureLoopback: boolean): string {
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  const secure = url !== null && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname) && allowInsecureLoopback))
  if (url === null || !secure || url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new LatchkeyError(
      'server_misconfigured',
      "Set USER_VERIFY_URL to an absolute https URL of the application's verify page (no user information, no fragment), or leave it empty to turn the user verifier off.",
    )
  }
  return url.toString()
}

function redirectUriFrom(base: string | undefined, allowInsecureLoopback: boolean): string {
  let url: URL | null = null
  try {
    url = new URL(base ?? '')
  } catch {
    url = null
  }
  const insecureAllowed = url !== null && url.protocol === 'http:' && isLoopbackHost(url.hostname) && allowInsecureLoopback
  const secure = url !== null && (url.protocol === 'https:' || insecureAllowed)
  if (url === null || !secure || url.origin !== (base ?? '').replace(/\/$/, '')) {
    throw new LatchkeyError(
      'server_misconfigured',
      'Set PUBLIC_BASE_URL to the https origin of this Worker, e.g. https://latchkey.example.com (no path); http://localhost needs ALLOW_INSECURE_LOOPBACK="true".',
    )
  }
  return `${url.origin}${CALLBACK_PATH}`
}

/** The allowed origins from the comma-separated `ALLOWED_RETURN_ORIGINS` setting (invalid entries are ignored). */
export function parseAllowedOrigins(setting: string | undefined): Set<string> {
  const origins = new Set<string>()
  for (const entry of (setting ?? '').split(',')) {
    const candidate = entry.trim()
    if (candidate === '') continue
    try {
      const origin = new URL(candidate).origin
      // An entry with a path, or one the parser had to rewrite, is a configuration mistake.
      if (origin === candidate.replace(/\/$/, '')) origins.add(origin)
    } catch {
      // Not a URL: ignored, so it can never match.
    }
  }
  return origins
}

/** An optional variable: wrangler.toml declares it empty, which means unset. */
function optional(value: string | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A flag: only the exact text "true" turns it on. */
function isTrue(value: string | undefined): boolean {
  return value === 'true'
}

/** A tuning variable of 1 to 9 digits; anything else is unset (the caller keeps its default). */
function wholeNumber(value: string | undefined): number | undefined {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined
}

function stringVariables(env: Env): Map<string, string> {
  const variables = new Map<string, string>()
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') variables.set(name, value)
  return variables
}

/** Bindings arrive untyped at run time: only an object that can `send` is a queue. */
function isQueue(value: unknown): value is Queue<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function'
}

/** Bindings arrive untyped at run time: only an object that can `limit` is a rate limiter. */
function isRateLimit(value: unknown): value is RateLimit {
  return typeof value === 'object' && value !== null && typeof (value as { limit?: unknown }).limit === 'function'
}
