/**
 * The local demo in a real browser (Debian's Chromium driven by playwright-core): the same
 * servers `npm start` runs (scripts/dev/local-demo.ts), on free ports so a running dev server
 * is not disturbed. A person opens the connect page, connects the demo account by signing in
 * and consenting at the demo authorization server, sees it connected, and disconnects it.
 * A person also connects an API-key connector (the fixture test-api-key, against the workerd
 * tests' upstream server started here) by typing the key into Latchkey's credential form (S22).
 * Every page a person sees on the way (the connect page before and after connecting, the demo
 * server's sign-in and consent pages, the Disconnect question, the credential form, the done
 * page, the error page) passes an axe-core WCAG 2.1 AA audit (accessibility.ts) and is saved as
 * a screenshot to test-artifacts/.
 * With LATCHKEY_UPDATE_SCREENSHOTS=1 the connected page is also written to
 * docs/images/connect-page.png, the README's picture.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEVELOPMENT_SECRETS } from '../../scripts/dev/development-defaults.ts'
import type { LocalDemo } from '../../scripts/dev/local-demo.ts'
import { startLocalWorker, type LocalWorker } from '../support/local-worker.ts'
import { auditAccessibility } from './accessibility.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
/** The longest any one browser action or wait may take. */
const BROWSER_WAIT_MS = 120_000
const ARTIFACTS_DIR = path.join(ROOT_DIR, 'test-artifacts')
/** The README's picture of the connect page, rewritten only when LATCHKEY_UPDATE_SCREENSHOTS=1. */
const README_SCREENSHOT = path.join(ROOT_DIR, 'docs', 'images', 'connect-page.png')
const UPDATE_README_SCREENSHOT = process.env['LATCHKEY_UPDATE_SCREENSHOTS'] === '1'
/** Stands in for the random connection id in the README's picture, so each update draws the same page. */
const PICTURED_CONNECTION_ID = 'conn_q3vx7kz2mw4hpn6tjr5ybd2lfe'
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

let worker: LocalWorker | undefined
let browser: BrowserContext | undefined
const scratchDirs: string[] = []
/** Everything wrangler printed (the Worker's logs included). */
const wranglerOutput: string[] = []
/** Every HTML body the Worker sent the browser. */
const workerPages: string[] = []

/** Debian's Chromium; playwright-core downloads no browser of its own. */
const CHROMIUM_PATH = '/usr/bin/chromium'

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`The browser test needs Chromium at ${CHROMIUM_PATH}: install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu; .ci/run does this in CI).`)
  }
  worker = await startLocalWorker({
    extraVars: (upstreamOrigin) => ({ TEST_API_KEY__UPSTREAM_ORIGIN: upstreamOrigin }),
    onWranglerOutput: (line) => wranglerOutput.push(line),
  })
  browser = await chromium.launchPersistentContext(scratchDir('latchkey-chromium-'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
  })
  // Real I/O through a real browser on a machine CI shares: Playwright's 30 s default waits
  // failed under load (npm run test:stress); every wait is for an event, this only bounds it.
  browser.setDefaultTimeout(BROWSER_WAIT_MS)
  browser.on('response', async (response) => {
    if (!response.url().startsWith(worker?.demo.workerOrigin ?? '-') || !(response.headers()['content-type'] ?? '').startsWith('text/html')) return
    workerPages.push(await response.text().catch(() => ''))
  })
}, 3 * BROWSER_WAIT_MS)

afterAll(async () => {
  await browser?.close()
  await worker?.stop()
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
}, BROWSER_WAIT_MS)

describe('the connect page in Chromium', () => {
  // Each test is a new visitor: no page session, no sign-in at the demo server.
  beforeEach(async () => {
    await context().clearCookies()
  })

  it(
    'connects the demo account after sign-in and consent, shows who is connected, keeps one card when the same account connects again, leads back from an error, and disconnects after asking',
    async () => {
      const page = await openPage(await localDemo().pageUrl())
      await expect.poll(() => page.url()).toBe(`${localDemo().workerOrigin}/connections`)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Connections')
      await checkPage(page, 'connect-page-empty')

      // By keyboard: Tab reaches the button with a visible focus ring, Enter submits it.
      expect(await tabTo(page, 'Connect Demo')).toEqual({ focusVisible: true, outline: 'solid' })
      await page.keyboard.press('Enter')
      await waitForSignInPage(page)
      await checkPage(page, 'demo-server-sign-in')
      await signIn(page, 'alice')
      await page.getByRole('heading', { level: 1, name: /^Authorize / }).waitFor()
      await checkPage(page, 'demo-server-consent')
      await consent(page)

      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Demo is connected.')
      expect(await page.locator('.status').innerText()).toMatch(/^Status:\s*✓\s*Connected$/)
      await checkPage(page, 'connect-page-connected')
      if (UPDATE_README_SCREENSHOT) await writeReadmeScreenshot(page.url())
      // Who is connected: the label comes from the id_token's email claim.
      expect(await demoCards(page).locator('.card-title').innerText()).toBe('Demo — alice@demo.example')
      const firstId = await connectionIdOn(page)

      // The same account again (a new flow, no connection id): the existing card is updated, not doubled.
      await page.getByRole('button', { name: 'Connect Demo', exact: true }).click()
      await signInIfAsked(page, 'alice')
      await consent(page)
      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Demo is connected.')
      expect(await demoCards(page).count()).toBe(1)
      expect(await connectionIdOn(page)).toBe(firstId)

      // An error on the connect page's own routes leads back to it.
      const missing = await page.goto(`${localDemo().workerOrigin}/connections/conn_${'a'.repeat(26)}/disconnect`)
      expect(missing?.status()).toBe(404)
      await page.getByRole('link', { name: 'Back to your connections' }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections`)
      expect(await demoCards(page).count()).toBe(1)

      await disconnect(page, 'Demo', { audit: true })
      expect(await page.getByRole('status').innerText()).toBe('The connection was disconnected.')
      expect(await page.getByText('No connections yet.').isVisible()).toBe(true)
      await page.close()
    },
    4 * BROWSER_WAIT_MS,
  )

  it(
    'connects in a popup in popup mode and refreshes when the popup reports back',
    async () => {
      const page = await openPage(await localDemo().pageUrl({ tenant: 'demo-tenant-popup', mode: 'popup' }))
      const popupOpened = page.waitForEvent('popup')
      await page.getByRole('button', { name: 'Connect Demo' }).click()
      const popup = await popupOpened
      // Listen before the last click: the popup closes itself as soon as it reports back, and
      // on a busy machine that can happen before a later listener exists (found by test:stress).
      const popupClosed = popup.waitForEvent('close')
      await waitForSignInPage(popup)
      await signIn(popup, 'bob')
      await consent(popup)

      await popupClosed
      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Demo is connected.')
      await disconnect(page, 'Demo')
      expect(await page.getByText('No connections yet.').isVisible()).toBe(true)
      await page.close()
    },
    4 * BROWSER_WAIT_MS,
  )

  it(
    'S22 connects an API-key connector through the credential form: fill, submit, connected, no secret in a page source or URL',
    async () => {
      const scenario = `browser-form-${crypto.randomUUID()}`
      const key = await localWorker().grantedKey(scenario)
      const wrongKey = `wrong-key-${crypto.randomUUID()}`
      const page = await openPage(await localDemo().pageUrl({ tenant: 'demo-tenant-form' }))
      const visited: string[] = []
      page.on('framenavigated', (frame) => visited.push(frame.url()))
      await page.getByRole('button', { name: 'Connect Test API key' }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connect/credentials?flow=*`)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Connect Test API key')
      expect(await page.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password')

      // A wrong key first: the provider refuses it, the form says so and keeps only the public values.
      await page.getByLabel('Scenario', { exact: true }).fill(scenario)
      await page.getByLabel('Region', { exact: true }).selectOption('eu')
      await page.getByLabel('API key', { exact: true }).fill(wrongKey)
      await page.getByRole('button', { name: 'Connect', exact: true }).click()
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('Test API key refused these credentials.')
      expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe('')
      expect(await page.getByLabel('Scenario', { exact: true }).inputValue()).toBe(scenario)
      await checkPage(page, 'credential-form-refused')

      await page.getByLabel('API key', { exact: true }).fill(key)
      await page.getByRole('button', { name: 'Connect', exact: true }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Test API key is connected.')
      expect(await page.locator('.status').innerText()).toMatch(/^Status:\s*✓\s*Connected$/)

      const seen = [...visited, page.url(), await page.content(), ...workerPages, ...wranglerOutput].join('\n')
      for (const secret of [key, wrongKey]) expect(seen).not.toContain(secret)

      await disconnect(page, 'Test API key')
      await page.close()
    },
    4 * BROWSER_WAIT_MS,
  )

  it(
    'ends a connect link without a return URL on the done page, and a callback with an unknown state on the error page',
    async () => {
      const page = await openPage(await connectLinkWithoutReturnUrl('demo-tenant-done'))
      await waitForSignInPage(page)
      await signIn(page, 'carol')
      await consent(page)
      await page.waitForURL(`${localDemo().workerOrigin}/oauth/done?**`)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Connected')
      await checkPage(page, 'done-page')

      // What a person sees after following a stale or forged callback link.
      const response = await page.goto(`${localDemo().workerOrigin}/oauth/callback?state=${'x'.repeat(43)}&code=x`)
      expect(response?.status()).toBe(400)
      expect(await page.content()).toContain('state_unknown')
      // Collapsed text escapes the audit: open every disclosure (the details for developers) first.
      await page.evaluate(`document.querySelectorAll('details').forEach((details) => { details.open = true })`)
      await checkPage(page, 'error-page')
      await page.close()
    },
    4 * BROWSER_WAIT_MS,
  )

  it('S13 no code, token or verifier the server issued appears in a page or in the Worker output', () => {
    const issued = localDemo()
      .authorizationServer.events.list()
      .flatMap((event) => (event.type === 'issued' ? [event.value] : event.type === 'token_request' && event.codeVerifier !== null ? [event.codeVerifier] : []))
    expect(issued.length).toBeGreaterThan(0)
    const seen = [...workerPages, ...wranglerOutput].join('\n')
    for (const value of issued) expect(seen).not.toContain(value)
  })
})

async function openPage(url: string): Promise<Page> {
  const page = await context().newPage()
  await page.goto(url)
  return page
}

/** Presses Tab until the focused element reads `text`; how its focus shows. */
async function tabTo(page: Page, text: string): Promise<{ focusVisible: boolean; outline: string }> {
  for (let presses = 0; presses < 20; presses++) {
    await page.keyboard.press('Tab')
    // A string, because this project's TypeScript has no DOM types.
    const focused = (await page.evaluate(`(() => {
      const element = document.activeElement
      if (element === null) return null
      return { text: element.textContent.trim(), focusVisible: element.matches(':focus-visible'), outline: getComputedStyle(element).outlineStyle }
    })()`)) as { text: string; focusVisible: boolean; outline: string } | null
    if (focused?.text === text) return { focusVisible: focused.focusVisible, outline: focused.outline }
  }
  throw new Error(`Tab never reached "${text}"`)
}

/** Saves a screenshot of `page` as test-artifacts/<name>.png (also when the audit then fails) and audits it. */
async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true })
  await auditAccessibility(page, name)
}

/**
 * Draws the connect page at `url` for the README: its first 1000 × 800 pixels (the connected
 * account and the first connectors: the test's fixture connectors are listed further down), in a
 * tab of its own, with the connection id (the only value that differs between runs) made a fixed one.
 */
async function writeReadmeScreenshot(url: string): Promise<void> {
  const page = await context().newPage()
  await page.setViewportSize({ width: 1000, height: 800 })
  await page.goto(url)
  await page.evaluate(`(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      node.nodeValue = node.nodeValue.replace(/conn_[a-z2-7]{26}/g, ${JSON.stringify(PICTURED_CONNECTION_ID)})
    }
  })()`)
  mkdirSync(path.dirname(README_SCREENSHOT), { recursive: true })
  await page.screenshot({ path: README_SCREENSHOT })
  await page.close()
}

/**
 * Disconnects the one connection of `connectorName` on the connect page `page`: its Disconnect
 * button, then the question's Disconnect (audited when `audit`); ends back on the page.
 */
async function disconnect(page: Page, connectorName: string, { audit = false } = {}): Promise<void> {
  const disconnectButton = page.getByRole('button', { name: new RegExp(`^Disconnect ${escapeRegExp(connectorName)}\\b`) })
  await disconnectButton.click()
  await page.waitForURL(/\/connections\/conn_[a-z2-7]{26}\/disconnect/)
  await page.getByRole('heading', { level: 1, name: `Disconnect ${connectorName}` }).waitFor()
  if (audit) await checkPage(page, 'disconnect-question')
  await disconnectButton.click()
  await page.waitForURL(`${localDemo().workerOrigin}/connections?notice=disconnected`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Waits until `page` shows the demo server's sign-in page. */
async function waitForSignInPage(page: Page): Promise<void> {
  await page.waitForURL(`${localDemo().authorizationServer.issuer}/interaction/**`, { waitUntil: 'domcontentloaded' })
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
}

/** Signs in at the demo server's sign-in page: any name, any password. */
async function signIn(page: Page, login: string): Promise<void> {
  await page.getByLabel('Name', { exact: true }).fill(login)
  await page.getByLabel('Password', { exact: true }).fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
}

/** The connection cards of the demo connector on the connect page. */
function demoCards(page: Page) {
  return page.locator('li.card', { has: page.getByRole('button', { name: /^Disconnect Demo\b/ }) })
}

/** The connection id the one demo card shows (kept visible for support). */
async function connectionIdOn(page: Page): Promise<string> {
  const id = /conn_[a-z2-7]{26}/.exec(await demoCards(page).innerText())?.[0]
  if (id === undefined) throw new Error('the demo card shows no connection id')
  return id
}

/** The demo server asks for a sign-in unless this browser still has its session from before. */
async function signInIfAsked(page: Page, login: string): Promise<void> {
  await page.waitForURL(`${localDemo().authorizationServer.issuer}/interaction/**`, { waitUntil: 'domcontentloaded' })
  const heading = page.getByRole('heading', { level: 1 })
  if ((await heading.innerText()) === 'Sign in') await signIn(page, login)
  await page.getByRole('heading', { level: 1, name: /^Authorize / }).waitFor()
}

/** Grants what the client asked for at the demo server's consent page. */
async function consent(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Continue' }).click()
}

/**
 * A connect link for the demo connector with no return URL, minted as an application mints one
 * (HS256 with the development CONNECT_TOKEN_SECRET): its flow ends on Latchkey's done page.
 */
async function connectLinkWithoutReturnUrl(tenant: string): Promise<string> {
  const token = await new SignJWT({ connector: 'demo' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(tenant)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(DEVELOPMENT_SECRETS.CONNECT_TOKEN_SECRET))
  return `${localDemo().workerOrigin}/connect/demo?token=${token}`
}

function localWorker(): LocalWorker {
  if (worker === undefined) throw new Error('the local demo did not start')
  return worker
}

function localDemo(): LocalDemo {
  return localWorker().demo
}

function context(): BrowserContext {
  if (browser === undefined) throw new Error('Chromium did not start')
  return browser
}

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  scratchDirs.push(dir)
  return dir
}
