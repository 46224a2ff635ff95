/**
 * The demo authorization server's own sign-in and consent pages (oidc-provider's stock dev
 * interactions fail WCAG 2.1 AA: no `lang`, low contrast). They keep the stock pages' form
 * contract, which test/support/connect-flow.ts posts by fetch and the browser test clicks:
 * both forms post to the interaction URL itself with a hidden `prompt` (`login` with fields
 * `login` and `password`, button "Sign-in"; `consent`, button "Continue").
 * Every value is escaped; the one stylesheet is allowed by its hash, nothing else loads.
 */
import { createHash } from 'node:crypto'
import { demoEmail } from './demo-account.ts'

/** Shown on every page, so nobody mistakes the demo for a real provider. */
export const DEMO_NOTE = 'Demo authorization server — any name and password work'

/** The sign-in page's inputs. */
export interface SignInView {
  /** The interaction URL: where the form posts. */
  interactionPath: string
  clientId: string
  /** Pre-filled name (the authorize request's `login_hint`, or what was typed before a problem). */
  login: string
  /** Why the last submission was refused, or null. */
  problem: string | null
}

/** The consent page's inputs. */
export interface ConsentView {
  interactionPath: string
  clientId: string
  /** The signed-in login name. */
  accountId: string
  /** The scopes the client asked for, in request order. */
  scopes: string[]
}

const STYLE = `
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: #1f2328; font: 16px/1.5 system-ui, sans-serif; }
main { max-width: 26rem; margin: 3rem auto; padding: 2rem; background: #fff; border: 1px solid #c9d1d9; border-radius: 8px; }
h1 { margin: 0 0 0.5rem; font-size: 1.6rem; }
.note { margin: 0 0 1.5rem; padding: 0.5rem 0.75rem; background: #fff8e1; border-left: 4px solid #8a5a00; color: #4a3300; font-size: 0.9rem; }
.problem { padding: 0.5rem 0.75rem; background: #fdecec; border-left: 4px solid #b42318; color: #7a1712; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { display: block; width: 100%; margin-top: 0.25rem; padding: 0.5rem; font: inherit; color: #1f2328; background: #fff; border: 1px solid #6b7280; border-radius: 4px; }
.actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
button { padding: 0.55rem 1.2rem; font: inherit; font-weight: 600; border-radius: 6px; cursor: pointer; }
.primary { color: #fff; background: #1a56b8; border: 1px solid #1a56b8; }
.secondary { color: #1a56b8; background: #fff; border: 1px solid #1a56b8; }
ul { padding-left: 1.25rem; }
code { padding: 0 0.25em; background: #eef1f5; border-radius: 3px; }
:focus-visible { outline: 3px solid #b45309; outline-offset: 2px; }
`

/**
 * The pages' Content-Security-Policy. No `form-action`: Chromium applies it to every redirect
 * after a submission, and consent ends in a redirect to the client's origin.
 */
export const INTERACTION_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** What each scope lets the client do, as the consent page says it. */
const SCOPE_DESCRIPTIONS: Record<string, (accountId: string) => string> = {
  openid: () => 'Confirm who you are',
  profile: (accountId) => `See your name (${accountId})`,
  email: (accountId) => `See your email address (${demoEmail(accountId)})`,
  offline_access: () => 'Keep access while you are away (a refresh token)',
}

/** The sign-in page: any name and any password. */
export function signInPage(view: SignInView): string {
  const action = escapeHtml(view.interactionPath)
  const focusPassword = view.login !== '' && view.problem === null
  return page(
    'Sign in',
    `<h1>Sign in</h1>
    <p>to continue to <strong>${escapeHtml(view.clientId)}</strong></p>
    ${view.problem === null ? '' : `<p class="problem" role="alert">${escapeHtml(view.problem)}</p>`}
    <form method="post" action="${action}">
      <input type="hidden" name="prompt" value="login">
      <label for="login">Name</label>
      <input id="login" name="login" type="text" required autocomplete="username" spellcheck="false" value="${escapeHtml(view.login)}"${focusPassword ? '' : ' autofocus'}>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" required autocomplete="current-password"${focusPassword ? ' autofocus' : ''}>
      <div class="actions"><button class="primary" type="submit">Sign-in</button>${CANCEL_BUTTON}</div>
    </form>
    ${cancelForm(view.interactionPath)}`,
  )
}

/** The consent page: what the client asks for, Continue grants it all, Cancel refuses. */
export function consentPage(view: ConsentView): string {
  const client = `<strong>${escapeHtml(view.clientId)}</strong>`
  const items = view.scopes.map((scope) => {
    const describe = SCOPE_DESCRIPTIONS[scope]
    return `<li>${describe === undefined ? `Use the scope <code>${escapeHtml(scope)}</code>` : escapeHtml(describe(view.accountId))}</li>`
  })
  return page(
    'Authorize',
    `<h1>Authorize ${escapeHtml(view.clientId)}</h1>
    <p>Signed in as <strong>${escapeHtml(view.accountId)}</strong>. ${client} asks to:</p>
    <ul>${items.join('')}</ul>
    <form method="post" action="${escapeHtml(view.interactionPath)}">
      <input type="hidden" name="prompt" value="consent">
      <div class="actions"><button class="primary" type="submit" autofocus>Continue</button>${CANCEL_BUTTON}</div>
    </form>
    ${cancelForm(view.interactionPath)}`,
  )
}

/** A page saying why the interaction cannot go on (expired, finished, malformed request). */
export function interactionProblemPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`)
}

/**
 * Cancel sits beside the main button but submits its own empty form (its `form` attribute), so
 * Enter in a field still signs in and no typed value reaches the abort route.
 */
const CANCEL_BUTTON = '<button class="secondary" type="submit" form="cancel">Cancel</button>'

/** The abort form: the client gets `error=access_denied`. */
function cancelForm(interactionPath: string): string {
  return `<form id="cancel" method="post" action="${escapeHtml(interactionPath)}/abort"></form>`
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Demo authorization server</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="note">${escapeHtml(DEMO_NOTE)}</p>
${body}
</main>
</body>
</html>
`
}

/** Text and attribute values as HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}
