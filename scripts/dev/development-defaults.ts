/**
 * The committed development defaults `npm start` runs the Worker with. Public by design and
 * worthless as secrets: each contains DEVELOPMENT_DEFAULT_MARKER, so `npm run deploy` refuses
 * to ship them and the Worker refuses to serve with them anywhere but on loopback.
 */
import { DEVELOPMENT_DEFAULT_MARKER } from '../../src/ui/development-defaults.ts'

/** A 32-byte AES key whose bytes spell the marker, so even its decoded form says what it is. */
const DEVELOPMENT_CREDENTIALS_KEY = Buffer.from(`${DEVELOPMENT_DEFAULT_MARKER}-aes-key-0`, 'utf8')

/** The Worker secrets of wrangler.toml's `[secrets] required`, for local development only. */
export const DEVELOPMENT_SECRETS = {
  CONNECT_TOKEN_SECRET: `${DEVELOPMENT_DEFAULT_MARKER}-connect-token-secret`,
  CREDENTIALS_KEYS: JSON.stringify({ [`${DEVELOPMENT_DEFAULT_MARKER}-key`]: DEVELOPMENT_CREDENTIALS_KEY.toString('base64') }),
} as const

/** The client the demo authorization server registers for the Worker's `demo` connector. */
export const DEMO_CLIENT = {
  clientId: 'latchkey-demo',
  clientSecret: `${DEVELOPMENT_DEFAULT_MARKER}-demo-client-secret`,
} as const

/** Folder of the dev-only demo connector: compiled by the local demo, never by `npm run build` or a deploy. */
export const DEMO_CONNECTOR_DIR = 'examples/demo/connectors'
