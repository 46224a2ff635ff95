/**
 * The local demo in a real browser (Debian's Chromium driven by playwright-core): the same
 * servers `npm start` runs (scripts/dev/local-demo.ts), on free ports so a running dev server
 * is not disturbed. A person opens the connect page, connects the demo account by signing in
 * and consenting at the demo authorization server, sees it connected, and disconnects it.
 * A person also connects an API-key connector (the fixture test-api-key, against the workerd
 * tests' upstream server started here) by typing the key into Latchkey's credential form (S22).
 * A screenshot of the connected page is saved to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TestProject } from 'vitest/node'
import { startLocalDemo, type LocalDemo } from '../../scripts/dev/local-demo.ts'
import { TEST_CONNECTOR_DIRS } from '../setup/compile-connectors.ts'
import startUpstream from '../setup/upstream-servers.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))
/** The longest any one browser action or wait may take. */
const BROWSER_WAIT_MS = 120_000
const ARTIFACTS_DIR = path.join(ROOT_DIR, 'test-artifacts')
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

let demo: LocalDemo | undefined
let browser: BrowserContext | undefined
/** The test upstream (test/setup/upstream-servers.ts): the API test-api-key's keys are checked against. */
let upstreamOrigin: string | undefined
let stopUpstream: (() => Promise<void>) | undefined
const scratchDirs: string[] = []
/** Everything wrangler printed (the Worker's logs included). */
const wranglerOutput: string[] = []
/** Every HTML body the Worker sent the browser. */
const workerPages: string[] = []

beforeAll(async () => {
  const [workerPort, authorizationServerPort, inspectorPort] = await freePorts(3)
  // The upstream is a vitest globalSetup of the workerd tier; here it is started by hand.
  stopUpstream = await startUpstream({
    provide: (_name: string, value: string) => {
      upstreamOrigin = value
    },
  } as unknown as TestProject)
  demo = await startLocalDemo({
    rootDir: ROOT_DIR,
    workerPort,
    authorizationServerPort,
    inspectorPort,
    // Exactly what the workerd tests compile into the same src/registry/generated, so a
    // concurrent `npm test` never loses its fixture connectors to this server's build.
    connectorDirs: [...TEST_CONNECTOR_DIRS],
    extraVars: { TEST_API_KEY__UPSTREAM_ORIGIN: upstream() },
    onWranglerOutput: (line) => wranglerOutput.push(line),
  })
  browser = await chromium.launchPersistentContext(scratchDir('latchkey-chromium-'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  })
  // Real I/O through a real browser on a machine CI shares: Playwright's 30 s default waits
  // failed under load (npm run test:stress); every wait is for an event, this only bounds it.
  browser.setDefaultTimeout(BROWSER_WAIT_MS)
  browser.on('response', async (response) => {
    if (!response.url().startsWith(demo?.workerOrigin ?? '-') || !(response.headers()['content-type'] ?? '').startsWith('text/html')) return
    workerPages.push(await response.text().catch(() => ''))
  })
}, 3 * BROWSER_WAIT_MS)

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  await stopUpstream?.()
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
}, BROWSER_WAIT_MS)

describe('the connect page in Chromium', () => {
  // Each test is a new visitor: no page session, no sign-in at the demo server.
  beforeEach(async () => {
    await context().clearCookies()
  })

  it(
    'connects the demo account after sign-in and consent, shows it connected, and disconnects it',
    async () => {
      const page = await openPage(await localDemo().pageUrl())
      await expect.poll(() => page.url()).toBe(`${localDemo().workerOrigin}/connections`)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Connections')

      // By keyboard: Tab reaches the button with a visible focus ring, Enter submits it.
      expect(await tabTo(page, 'Connect Demo')).toEqual({ focusVisible: true, outline: 'solid' })
      await page.keyboard.press('Enter')
      await signInAndConsent(page, 'alice')

      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Demo is connected.')
      expect(await page.locator('.status').innerText()).toMatch(/^Status:\s*✓\s*Connected$/)
      mkdirSync(ARTIFACTS_DIR, { recursive: true })
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'connect-page-connected.png'), fullPage: true })

      await page.getByRole('button', { name: /^Disconnect Demo/ }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections?notice=disconnected`)
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
      await signInAndConsent(popup, 'bob')

      await popupClosed
      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Demo is connected.')
      await page.getByRole('button', { name: /^Disconnect Demo/ }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections?notice=disconnected`)
      expect(await page.getByText('No connections yet.').isVisible()).toBe(true)
      await page.close()
    },
    4 * BROWSER_WAIT_MS,
  )

  it(
    'S22 connects an API-key connector through the credential form: fill, submit, connected, no secret in a page source or URL',
    async () => {
      const scenario = `browser-form-${crypto.randomUUID()}`
      const key = await grantedKey(scenario)
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
      mkdirSync(ARTIFACTS_DIR, { recursive: true })
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'credential-form-refused.png'), fullPage: true })

      await page.getByLabel('API key', { exact: true }).fill(key)
      await page.getByRole('button', { name: 'Connect', exact: true }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections?**`)
      expect(await page.getByRole('status').innerText()).toBe('Test API key is connected.')
      expect(await page.locator('.status').innerText()).toMatch(/^Status:\s*✓\s*Connected$/)

      const seen = [...visited, page.url(), await page.content(), ...workerPages, ...wranglerOutput].join('\n')
      for (const secret of [key, wrongKey]) expect(seen).not.toContain(secret)

      await page.getByRole('button', { name: /^Disconnect Test API key/ }).click()
      await page.waitForURL(`${localDemo().workerOrigin}/connections?notice=disconnected`)
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

/** The demo server's dev interactions: any login name and password, then consent. */
async function signInAndConsent(page: Page, login: string): Promise<void> {
  const issuer = localDemo().authorizationServer.issuer
  await page.waitForURL(`${issuer}/interaction/**`, { waitUntil: 'domcontentloaded' })
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

function upstream(): string {
  if (upstreamOrigin === undefined) throw new Error('the test upstream did not start')
  return upstreamOrigin
}

/** A key the test upstream's API accepts: an access token it issued for `scenario` (its control API). */
async function grantedKey(scenario: string): Promise<string> {
  const response = await fetch(`${upstream()}/s/${scenario}/_control/grant`, { method: 'POST', body: '{}' })
  if (!response.ok) throw new Error(`the test upstream answered ${response.status} to a grant`)
  return ((await response.json()) as { access_token: string }).access_token
}

function localDemo(): LocalDemo {
  if (demo === undefined) throw new Error('the local demo did not start')
  return demo
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

/** Ports nothing listens on right now (held together, so they differ). */
async function freePorts(count: number): Promise<[number, number, number]> {
  const servers = Array.from({ length: count }, () => createServer())
  const ports = await Promise.all(
    servers.map((server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))),
  )
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports as [number, number, number]
}
