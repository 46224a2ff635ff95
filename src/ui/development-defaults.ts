/**
 * Committed development defaults (the secrets `npm start` runs with, scripts/dev/) all
 * contain one marker, so they are recognisable anywhere: `npm run deploy` refuses to ship
 * them (scripts/dev/guard-deploy.ts) and the Worker refuses to serve with them off loopback
 * (development-defaults-guard.ts). No imports: Node scripts load this before anything is built.
 */

/** Every development default contains this text; no real secret ever should. */
export const DEVELOPMENT_DEFAULT_MARKER = 'DEV-ONLY-DO-NOT-DEPLOY'

/** Whether `value` is (or embeds) a development default. */
export function isDevelopmentDefault(value: unknown): boolean {
  return typeof value === 'string' && value.includes(DEVELOPMENT_DEFAULT_MARKER)
}
