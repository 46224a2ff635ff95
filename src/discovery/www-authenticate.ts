/**
 * Trust boundary: the `WWW-Authenticate` header of a resource's 401 or 403. The grammar is
 * RFC 9110 section 11.6.1 (several challenges in one field, auth-params whose values are tokens
 * or quoted strings with backslash escapes, or a token68); from the Bearer challenge discovery
 * reads `resource_metadata` (RFC 9728 section 5.1), `scope` and `error` (RFC 6750 section 3).
 *
 * Parsing is strict: a field that does not follow the grammar, or repeats a parameter in one
 * challenge (RFC 9110: "each parameter name MUST only occur once per challenge"), yields no
 * challenges at all rather than a best guess, and discovery then falls back to the well-known
 * URLs, whose answers are checked on their own.
 */
import { parseScopeString } from './scope-list.ts'

/** One challenge of a WWW-Authenticate field. */
export interface AuthChallenge {
  /** The auth-scheme, lowercased (schemes are case-insensitive, RFC 9110 section 11.1). */
  scheme: string
  /** The token68 of a challenge that carries one instead of parameters (e.g. `Negotiate <blob>`), else null. */
  token68: string | null
  /** The auth-params by lowercased name, values unquoted and unescaped. A Map, so no name can reach an object prototype. */
  params: Map<string, string>
}

/** What discovery uses of the Bearer challenge. */
export interface BearerChallenge {
  /** `resource_metadata`: where the protected resource metadata is (RFC 9728 section 5.1); not yet checked as a URL. */
  resourceMetadata: string | null
  /** `scope`: the scopes this request needs, authoritative for it (MCP scope selection); null when absent, empty or not scope tokens. */
  scope: string[] | null
  /** `error`, e.g. `insufficient_scope` on a 403 (RFC 6750 section 3.1). */
  error: string | null
  /** `error_description`, for logs and messages; never parsed. */
  errorDescription: string | null
}

/** Fields longer than this are not parsed: real challenges are a few hundred bytes. */
export const MAX_WWW_AUTHENTICATE_LENGTH = 8 * 1024

/**
 * The challenges of a WWW-Authenticate field value (several header lines arrive joined with
 * ", ", which the grammar allows), or null when the value does not follow RFC 9110 section 11.6.1.
 */
export function parseWwwAuthenticate(value: string): AuthChallenge[] | null {
  if (value.length > MAX_WWW_AUTHENTICATE_LENGTH) return null
  try {
    return new ChallengeParser(value).challenges()
  } catch (error) {
    if (error instanceof MalformedField) return null
    throw error
  }
}

/**
 * The first Bearer challenge of a WWW-Authenticate field value, or null when there is no field,
 * the field is malformed, or it has no Bearer challenge.
 */
export function bearerChallenge(value: string | null): BearerChallenge | null {
  if (value === null) return null
  const challenge = parseWwwAuthenticate(value)?.find((candidate) => candidate.scheme === 'bearer')
  if (challenge === undefined) return null
  const scope = challenge.params.get('scope')
  return {
    resourceMetadata: challenge.params.get('resource_metadata') ?? null,
    scope: scope === undefined ? null : parseScopeString(scope),
    error: challenge.params.get('error') ?? null,
    errorDescription: challenge.params.get('error_description') ?? null,
  }
}

class MalformedField extends Error {}

/** tchar (RFC 9110 section 5.6.2). */
const TOKEN_CHARACTER = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
/** The characters of a token68 before its `=` padding (RFC 9110 section 11.2). */
const TOKEN68_CHARACTER = /[A-Za-z0-9\-._~+/]/

/** A cursor over one field value; every method either consumes what it names or nothing. */
class ChallengeParser {
  private position = 0

  constructor(private readonly text: string) {}

  challenges(): AuthChallenge[] {
    const challenges: AuthChallenge[] = []
    this.skipListSeparators()
    while (!this.atEnd()) {
      challenges.push(this.challenge())
      this.skipListSeparators()
    }
    return challenges
  }

  /** challenge = auth-scheme [ 1*SP ( token68 / [ auth-param *( OWS "," OWS auth-param ) ] ) ] */
  private challenge(): AuthChallenge {
    const scheme = this.token()
    if (scheme === null) throw new MalformedField()
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), token68: null, params: new Map() }
    const spaces = this.skipWhitespace()
    if (this.atEnd() || this.peek() === ',') return challenge
    if (spaces === 0) throw new MalformedField()
    const first = this.authParam()
    if (first === null) {
      challenge.token68 = this.token68()
      this.skipWhitespace()
      if (!this.atEnd() && this.peek() !== ',') throw new MalformedField()
      return challenge
    }
    this.addParam(challenge, first)
    for (;;) {
      this.skipWhitespace()
      if (this.atEnd()) return challenge
      if (this.peek() !== ',') throw new MalformedField()
      this.skipListSeparators()
      if (this.atEnd()) return challenge
      const next = this.authParam()
      // Not `name=`: the next challenge starts here.
      if (next === null) return challenge
      this.addParam(challenge, next)
    }
  }

  private addParam(challenge: AuthChallenge, [name, value]: [string, string]): void {
    if (challenge.params.has(name)) throw new MalformedField()
    challenge.params.set(name, value)
  }

  /** auth-param = token BWS "=" BWS ( token / quoted-string ); null (nothing consumed) when the input is not one. */
  private authParam(): [string, string] | null {
    const start = this.position
    const name = this.token()
    if (name !== null) {
      this.skipWhitespace()
      if (this.peek() === '=') {
        this.position += 1
        this.skipWhitespace()
        const value = this.peek() === '"' ? this.quotedString() : this.token()
        if (value !== null) return [name.toLowerCase(), value]
      }
    }
    this.position = start
    return null
  }

  /** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
  private token68(): string {
    const start = this.position
    while (!this.atEnd() && TOKEN68_CHARACTER.test(this.peek())) this.position += 1
    if (this.position === start) throw new MalformedField()
    while (this.peek() === '=') this.position += 1
    return this.text.slice(start, this.position)
  }

  /** quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, returned unescaped. */
  private quotedString(): string {
    this.position += 1
    let value = ''
    for (;;) {
      if (this.atEnd()) throw new MalformedField()
      const character = this.peek()
      this.position += 1
      if (character === '"') return value
      if (character === '\\') {
        if (this.atEnd() || !isQuotedPairCharacter(this.peek())) throw new MalformedField()
        value += this.peek()
        this.position += 1
      } else if (isQuotedTextCharacter(character)) {
        value += character
      } else {
        throw new MalformedField()
      }
    }
  }

  private token(): string | null {
    const start = this.position
    while (!this.atEnd() && TOKEN_CHARACTER.test(this.peek())) this.position += 1
    return this.position === start ? null : this.text.slice(start, this.position)
  }

  /** OWS; returns how many characters it skipped. */
  private skipWhitespace(): number {
    const start = this.position
    while (this.peek() === ' ' || this.peek() === '\t') this.position += 1
    return this.position - start
  }

  /** Commas and whitespace between list elements; empty elements are allowed (RFC 9110 section 5.6.1.2). */
  private skipListSeparators(): void {
    while (this.peek() === ',' || this.peek() === ' ' || this.peek() === '\t') this.position += 1
  }

  private peek(): string {
    return this.text.charAt(this.position)
  }

  private atEnd(): boolean {
    return this.position >= this.text.length
  }
}

/** qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
function isQuotedTextCharacter(character: string): boolean {
  const code = character.charCodeAt(0)
  return code === 0x09 || code === 0x20 || code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e) || (code >= 0x80 && code <= 0xff)
}

/** quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
function isQuotedPairCharacter(character: string): boolean {
  const code = character.charCodeAt(0)
  return code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)
}
