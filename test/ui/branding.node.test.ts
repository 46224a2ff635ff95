/**
 * The pure parts of the pages' look: WCAG contrast (src/http/contrast.ts), the brand read from
 * APP_NAME and APP_ACCENT_COLOR with text colours that stay readable on any accent
 * (src/http/brand.ts), and which logo URLs may become images (src/ui/logo.ts).
 */
import { describe, expect, it } from 'vitest'
import { brandColors, brandFrom, brandStyle, DEFAULT_BRAND } from '../../src/http/brand.ts'
import { contrastRatio, MIN_TEXT_CONTRAST } from '../../src/http/contrast.ts'
import { PAGE_BACKGROUND } from '../../src/http/page-style.ts'
import { logoOf, logoOrigins } from '../../src/ui/logo.ts'

describe('contrast', () => {
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#767676', '#ffffff', 4.54],
  ])('%s against %s is %f:1', (first, second, ratio) => {
    expect(contrastRatio(first, second)).toBeCloseTo(ratio, 2)
    expect(contrastRatio(second, first)).toBeCloseTo(ratio, 2)
  })
})

describe('the brand', () => {
  it('is the default without configuration, and the default accent carries white text', () => {
    expect(brandFrom(undefined, undefined)).toEqual(DEFAULT_BRAND)
    expect(brandFrom('', '')).toEqual(DEFAULT_BRAND)
    expect(contrastRatio('#ffffff', DEFAULT_BRAND.accentColor)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST)
    expect(brandColors(DEFAULT_BRAND.accentColor)).toEqual({ accent: '#1a56b8', onAccent: '#ffffff', accentInk: '#1a56b8' })
  })

  it('takes a plain name (trimmed) and a #rrggbb colour (lower-cased)', () => {
    expect(brandFrom('  Acme CRM ', '#0B6E4F')).toEqual({ appName: 'Acme CRM', accentColor: '#0b6e4f' })
  })

  it.each([
    ['a zero-width space', 'Acme\u200bCRM'],
    ['a line feed', 'Acme\nCRM'],
    ['65 characters', 'x'.repeat(65)],
  ])('falls back to the default name for one with %s', (_case, name) => {
    expect(brandFrom(name, undefined).appName).toBe('Latchkey')
  })

  it.each(['red', '#abc', '#12345g', ' #123456', '#1234567', 'rgb(1,2,3)'])('falls back to the default accent for %j', (color) => {
    expect(brandFrom(undefined, color).accentColor).toBe(DEFAULT_BRAND.accentColor)
  })

  // Every text colour the brand picks keeps 4.5:1, whatever the operator chose.
  it.each(['#000000', '#ffffff', '#ffd23f', '#777777', '#808080', '#1a56b8', '#00ff00', '#ff0000', '#0000ff', '#767676', '#595959'])(
    'text on and in %s stays readable',
    (accent) => {
      const colors = brandColors(accent)
      expect(contrastRatio(colors.onAccent, accent)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST)
      expect(contrastRatio(colors.accentInk, PAGE_BACKGROUND)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST)
      expect(contrastRatio(colors.accentInk, '#ffffff')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST)
    },
  )

  it('writes only validated colours into the style sheet', () => {
    expect(brandStyle({ appName: 'x', accentColor: 'red; } body { display: none' })).toBe(':root { --accent: #1a56b8; --on-accent: #ffffff; --accent-ink: #1a56b8; }')
  })
})

describe('logos', () => {
  it.each([
    ['an https URL', 'https://cdn.example.com/logos/github.png', false, 'https://cdn.example.com'],
    ['an https URL with a port', 'https://cdn.example.com:8443/a.svg', false, 'https://cdn.example.com:8443'],
    ['an https URL on an IPv6 address', 'https://[2001:db8::1]/a.svg', false, 'https://[2001:db8::1]'],
    ['http on loopback with ALLOW_INSECURE_LOOPBACK', 'http://127.0.0.1:9090/logo.png', true, 'http://127.0.0.1:9090'],
  ])('shows %s', (_case, uri, allowInsecureLoopback, origin) => {
    expect(logoOf(uri, allowInsecureLoopback)).toEqual({ src: uri, origin })
  })

  it.each([
    ['none', undefined, true],
    ['http', 'http://cdn.example.com/logo.png', true],
    ['http on loopback without ALLOW_INSECURE_LOOPBACK', 'http://localhost:9090/logo.png', false],
    ['a data URL', 'data:image/svg+xml,<svg onload=alert(1)>', true],
    ['javascript', 'javascript:alert(1)', true],
    ['a relative path', '/logo.png', true],
    ['user information', 'https://user:pass@cdn.example.com/logo.png', true],
    // URL parsers accept these hosts; a CSP would read a new directive or source in them.
    ['a host with a semicolon', 'https://cdn.example.com;script-src/logo.png', true],
    ['a host with a comma', 'https://cdn,example.com/logo.png', true],
    ['a host with a quote', "https://cdn'example.com/logo.png", true],
    ['a very long URL', `https://cdn.example.com/${'a'.repeat(2048)}`, true],
  ])('shows no image for %s', (_case, uri, allowInsecureLoopback) => {
    expect(logoOf(uri, allowInsecureLoopback)).toBeNull()
  })

  it('lists each origin once, for the CSP', () => {
    const logos = ['https://b.example/1.png', 'https://a.example/2.png', 'https://b.example/3.png'].map((uri) => logoOf(uri, false))
    expect(logoOrigins([...logos, null])).toEqual(['https://a.example', 'https://b.example'])
  })
})
