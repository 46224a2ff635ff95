/**
 * The demo server's interaction routes, in place of oidc-provider's dev interactions (the
 * documented way: `interactions.url` names these pages, they read the pending request with
 * `provider.interactionDetails` and end it with `provider.interactionFinished`):
 *
 *   GET  /interaction/:uid         the sign-in page (prompt `login`) or the consent page (`consent`)
 *   POST /interaction/:uid         prompt=login&login=<name>&password=<any>: signs in as <name>;
 *                                  prompt=consent: grants every scope, claim and resource asked for
 *   POST /interaction/:uid/abort   the client gets error=access_denied
 *
 * Cross-site posts carry no interaction cookie (SameSite=Lax), so they end on the "no longer
 * valid" page. The password is never read beyond checking that one was typed, nor logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import { errors, type InteractionResults } from 'oidc-provider'
import { loginProblem, MAX_LOGIN_LENGTH } from './demo-account.ts'
import { consentPage, INTERACTION_PAGE_CSP, interactionProblemPage, signInPage } from './interaction-views.ts'
import { FormBodyError, readFormBody, singleField } from './read-form-body.ts'

/** Path prefix of every interaction page; nothing else on the server starts with it. */
export const INTERACTION_PREFIX = '/interaction/'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(\/abort)?$/
const START_AGAIN = 'Start again from the application you came from.'

/** Where oidc-provider sends the browser for interaction `uid` (configuration `interactions.url`). */
export function interactionPath(uid: string): string {
  return `${INTERACTION_PREFIX}${uid}`
}

/** Answers a request under INTERACTION_PREFIX (the caller checked the prefix); never throws. */
export async function handleInteractionRequest(req: IncomingMessage, res: ServerResponse, provider: Provider): Promise<void> {
  const match = INTERACTION_PATH.exec(new URL(req.url ?? '/', 'http://interaction.invalid').pathname)
  if (match === null) return sendPage(res, 404, interactionProblemPage('Page not found', 'The demo authorization server has no such page.'))
  const [, uid, abort] = match
  try {
    const interaction = await provider.interactionDetails(req, res)
    if (interaction.uid !== uid) {
      return sendPage(res, 400, interactionProblemPage('Sign-in no longer valid', `This page belongs to another sign-in. ${START_AGAIN}`))
    }
    if (abort !== undefined) {
      if (req.method !== 'POST') return sendPage(res, 405, interactionProblemPage('Not allowed', 'Cancel with the Cancel button.'), 'POST')
      return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled.' }, { mergeWithLastSubmission: false })
    }
    if (req.method === 'GET') {
      const { status, html } = promptPage(interaction)
      return sendPage(res, status, html)
    }
    if (req.method === 'POST') return await submitPrompt(req, res, provider, interaction)
    return sendPage(res, 405, interactionProblemPage('Not allowed', 'Use the form on this page.'), 'GET, POST')
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      return sendPage(res, 400, interactionProblemPage('Sign-in no longer valid', `This sign-in expired or already finished. ${START_AGAIN}`))
    }
    if (error instanceof FormBodyError) return sendPage(res, error.status, interactionProblemPage('Form not accepted', error.message))
    // The name only: an error here may quote the request, and the request carries a password.
    console.error(`demo authorization server: interaction failed (${error instanceof Error ? error.name : typeof error})`)
    if (!res.headersSent) sendPage(res, 500, interactionProblemPage('Something went wrong', `The demo authorization server failed. ${START_AGAIN}`))
  }
}

/** The page of the interaction's current prompt, and its status. */
function promptPage(interaction: Interaction): { status: number; html: string } {
  const { prompt, params, uid } = interaction
  const clientId = String(params['client_id'])
  if (prompt.name === 'login') {
    const hint = params['login_hint']
    const login = typeof hint === 'string' ? hint.slice(0, MAX_LOGIN_LENGTH) : ''
    return { status: 200, html: signInPage({ interactionPath: interactionPath(uid), clientId, login, problem: null }) }
  }
  if (prompt.name === 'consent') {
    const scopes = String(params['scope'] ?? '')
      .split(' ')
      .filter((scope) => scope !== '')
    return { status: 200, html: consentPage({ interactionPath: interactionPath(uid), clientId, accountId: interaction.session?.accountId ?? '', scopes }) }
  }
  return { status: 501, html: interactionProblemPage('Not supported', `The demo authorization server cannot ask for "${prompt.name}".`) }
}

async function submitPrompt(req: IncomingMessage, res: ServerResponse, provider: Provider, interaction: Interaction): Promise<void> {
  const form = await readFormBody(req)
  const submitted = singleField(form, 'prompt')
  if (submitted !== interaction.prompt.name) {
    return sendPage(res, 400, interactionProblemPage('Form out of date', 'This form is for another step of the sign-in. Reload the page and try again.'))
  }
  if (submitted === 'login') {
    const login = singleField(form, 'login') ?? ''
    const problem = loginProblem(login) ?? ((singleField(form, 'password') ?? '') === '' ? 'Enter a password: any will do.' : null)
    if (problem !== null) {
      const shown = loginProblem(login) === null ? login : ''
      return sendPage(res, 400, signInPage({ interactionPath: interactionPath(interaction.uid), clientId: String(interaction.params['client_id']), login: shown, problem }))
    }
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false })
  }
  const result: InteractionResults = { consent: { grantId: await grantEverythingAsked(provider, interaction) } }
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true })
}

/** Adds what the prompt says is missing (scopes incl. offline_access, claims, resource scopes) to the grant; its id. */
async function grantEverythingAsked(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session?.accountId
  if (accountId === undefined) throw new errors.SessionNotFound('consent without a signed-in account')
  const existing = interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId)
  const grant = existing ?? new provider.Grant({ accountId, clientId: String(interaction.params['client_id']) })
  const details = interaction.prompt.details
  const scopes = stringList(details['missingOIDCScope'])
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '))
  const claims = stringList(details['missingOIDCClaims'])
  if (claims.length > 0) grant.addOIDCClaims(claims)
  const resourceScopes = details['missingResourceScopes']
  if (typeof resourceScopes === 'object' && resourceScopes !== null) {
    for (const [indicator, scope] of Object.entries(resourceScopes)) grant.addResourceScope(indicator, stringList(scope).join(' '))
  }
  return grant.save()
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function sendPage(res: ServerResponse, status: number, html: string, allow?: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': INTERACTION_PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    ...(allow === undefined ? {} : { Allow: allow }),
  })
  res.end(html)
}
