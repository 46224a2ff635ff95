/**
 * The one style sheet of every page Latchkey shows (connect page, switch question, Disconnect
 * confirmation, credential form, start confirmation, done and error pages), so they look like
 * one product. Colours are custom properties; the brand (brand.ts) overrides the accent ones
 * after this sheet. Every text colour here keeps 4.5:1 against its background (WCAG 2.1 AA),
 * and focus shows as a 3px ring with 3:1 against the page.
 */

/** The page background: the darkest surface text sits on, so contrast is checked against it. */
export const PAGE_BACKGROUND = '#f6f6f8'
/** The text colour. */
export const PAGE_INK = '#1d1d1f'

/** The shared style sheet (trusted CSS, written here). */
export const PAGE_STYLE = `
  :root { color-scheme: light; --ink: ${PAGE_INK}; --muted: #5a5a60; --line: #d5d5da; --accent: #1a56b8; --on-accent: #ffffff; --accent-ink: #1a56b8; --ok: #1b6b35; --warn: #8a4b00; --bad: #a4161a; --focus: #b45309; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: ${PAGE_BACKGROUND}; }
  .app-bar { background: #fff; border-bottom: 4px solid var(--accent); }
  .app-name { max-width: 44rem; margin: 0 auto; padding: 0.75rem 1rem; font-weight: 700; overflow-wrap: anywhere; }
  main { max-width: 44rem; margin: 0 auto; padding: 2rem 1rem 4rem; }
  h1 { margin: 0 0 0.25rem; font-size: 1.75rem; overflow-wrap: anywhere; }
  h2 { margin: 2rem 0 0.75rem; font-size: 1.2rem; }
  h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
  a { color: var(--accent-ink); }
  .lede, .meta, .hint, .owner { color: var(--muted); }
  .owner { margin: 0; }
  .meta { font-size: 0.875rem; margin: 0.25rem 0 0.75rem; }
  .hint { display: block; font-size: 0.875rem; }
  code { font-size: 0.875em; background: #ececf0; padding: 0 0.25em; border-radius: 3px; overflow-wrap: anywhere; }
  .cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
  .card-unavailable { border-style: dashed; }
  .card-title { display: flex; align-items: center; gap: 0.5rem; overflow-wrap: anywhere; }
  .logo { width: 1.5rem; height: 1.5rem; object-fit: contain; flex: none; }
  .account { font-weight: 400; }
  .status { margin: 0.25rem 0; }
  .status-connected strong { color: var(--ok); }
  .status-needs_reauth strong { color: var(--warn); }
  .status-error strong, .unavailable { color: var(--bad); }
  .detail { margin: 0.25rem 0; }
  .notice, .warning { padding: 0.75rem 1rem; border-radius: 6px; border: 1px solid; }
  .notice-success { background: #eaf6ee; border-color: #9ccfaa; }
  .notice-problem, .warning { background: #fbeaea; border-color: #e3a1a3; }
  .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
  .field { margin: 0.5rem 0; }
  .field label { display: block; font-weight: 600; }
  .field-checkbox label { display: inline; font-weight: 400; }
  .field-error { display: block; color: var(--bad); font-weight: 600; }
  [aria-invalid=true] { border-color: var(--bad); border-width: 2px; }
  .ways { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
  input[type=text], input[type=number], input[type=password], select { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #8e8e96; border-radius: 4px; width: 100%; max-width: 24rem; }
  button, .button, .continue { display: inline-block; font: inherit; line-height: 1.5; padding: 0.45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); cursor: pointer; text-decoration: none; }
  button.primary, .button.primary, .continue { background: var(--accent); color: var(--on-accent); }
  button.secondary, .button.secondary { background: #fff; color: var(--accent-ink); }
  button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
  details { margin-top: 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem; }
  summary { cursor: pointer; font-weight: 600; }
  details .cards { margin: 0.75rem 0 0.5rem; }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`
