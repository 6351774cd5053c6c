import { appwriteError } from './errors'
import { randomBytes, toHex } from './sha256'

/*
 * The one-time tokens of the Account service and the outbox their emails land in. Server facts
 * (github:appwrite/appwrite 1.9.x): app/controllers/api/account.php (the verification, recovery,
 * magic URL and email OTP routes and `$createSession`), app/init/constants.php (lifetimes and
 * lengths), src/Appwrite/Utopia/Database/Documents/User.php `tokenVerify`, the `Token` response
 * model, src/Appwrite/Network/Validator/{Origin,Redirect}.php and the `en` email texts.
 */

/**
 * What a token is for; also the `kind` of the email (or, for `phoneOtp` and `phoneVerification`,
 * the SMS) that carries it.
 */
export type TokenKind =
  'verification' | 'recovery' | 'magicUrl' | 'emailOtp' | 'phoneOtp' | 'phoneVerification'

/** A stored token's kind: an emailed one, or `generic` (`users.createToken`, never emailed). @internal */
export type StoredTokenKind = TokenKind | 'generic'

/**
 * One stored token. Only the SHA-256 of its secret is kept, as the server keeps it; the token
 * lives in its user's `tokens` (so a data dir keeps it with the user).
 *
 * @internal
 */
export interface StoredToken {
  readonly $id: string
  readonly $createdAt: number
  readonly kind: StoredTokenKind
  readonly secretHash: string
  /** Epoch ms; the token still works at exactly this instant, as `tokenVerify` compares `>=`. */
  readonly expire: number
}

/**
 * How long each token works, in ms: an hour for verification (`TOKEN_EXPIRATION_CONFIRM`, also
 * a phone's), recovery (`TOKEN_EXPIRATION_RECOVERY`) and magic URL, 15 minutes for an email or
 * phone OTP (`TOKEN_EXPIRATION_OTP`).
 *
 * @internal
 */
export const TOKEN_LIFETIME_MS: Readonly<Record<TokenKind, number>> = {
  verification: 3_600_000,
  recovery: 3_600_000,
  magicUrl: 3_600_000,
  emailOtp: 900_000,
  phoneOtp: 900_000,
  phoneVerification: 3_600_000,
}

/** The kinds carried by SMS: a six-digit code to the user's phone, the server's `TOKEN_TYPE_PHONE`. @internal */
export const PHONE_TOKEN_KINDS: readonly StoredTokenKind[] = ['phoneOtp', 'phoneVerification']

/**
 * A new secret for a token of `kind`: 256 hex chars for verification and recovery, 64 for a
 * magic URL, six digits for an email or phone OTP, `length` hex chars for a generic token (utopia-php/auth
 * `Proofs\Token` / `Proofs\Code`).
 *
 * @internal
 */
export function tokenSecret(kind: StoredTokenKind, length = 6): string {
  if (kind === 'generic') return toHex(randomBytes(Math.ceil(length / 2))).slice(0, length)
  if (kind === 'magicUrl') return toHex(randomBytes(32))
  if (kind !== 'emailOtp' && !PHONE_TOKEN_KINDS.includes(kind)) return toHex(randomBytes(128))
  let code = ''
  while (code.length < 6) {
    // Bytes of 250 and up are skipped, so each digit is equally likely.
    for (const byte of randomBytes(8)) if (byte < 250 && code.length < 6) code += String(byte % 10)
  }
  return code
}

const ADJECTIVES = [
  'Bold',
  'Brave',
  'Bright',
  'Calm',
  'Clever',
  'Curious',
  'Gentle',
  'Happy',
  'Honest',
  'Kind',
  'Lively',
  'Loyal',
  'Patient',
  'Quick',
  'Steady',
  'Witty',
] as const
const NOUNS = [
  'anchor',
  'badger',
  'comet',
  'falcon',
  'harbor',
  'lantern',
  'maple',
  'meadow',
  'otter',
  'pebble',
  'river',
  'saffron',
  'summit',
  'thistle',
  'walrus',
  'willow',
] as const

/** A security phrase, `Adjective noun`, the shape utopia-php/auth's `Phrase` gives. @internal */
export function securityPhrase(): string {
  const [a = 0, b = 0] = randomBytes(2)
  return `${ADJECTIVES[a % ADJECTIVES.length]} ${NOUNS[b % NOUNS.length]}`
}

/* ------------------------------------------------------------------------------------------------
 * Redirect URLs
 * --------------------------------------------------------------------------------------------- */

/** The schemes the server checks by hostname (a Web platform). */
const WEB_SCHEMES: Readonly<Record<string, string>> = {
  http: 'Web',
  https: 'Web',
  'chrome-extension': 'Web (Chrome Extension)',
  'moz-extension': 'Web (Firefox Extension)',
  'safari-web-extension': 'Web (Safari Extension)',
  'ms-browser-extension': 'Web (Edge Extension)',
  tauri: 'Web (Tauri)',
}

/** The app platforms' schemes (`appwrite-ios://…`), allowed once such a platform is registered. */
const APP_SCHEMES: Readonly<Record<string, string>> = {
  'appwrite-ios': 'iOS',
  'appwrite-macos': 'macOS',
  'appwrite-watchos': 'watchOS',
  'appwrite-tvos': 'tvOS',
  'appwrite-android': 'Android',
  'appwrite-windows': 'Windows',
  'appwrite-linux': 'Linux',
}

/** Spellings of `localhost` an allow list naming `localhost` accepts too (`Platform::LOOPBACK_ALIASES`). */
const LOOPBACK_ALIASES = new Set(['127.0.0.1', '[::1]'])

/**
 * Checks a redirect `url` as the server's `Redirect` validator does, and throws its 400
 * `general_argument_invalid` (``Invalid `url` param: Invalid URI. …``). `hosts` are the hostnames
 * of the project's Web platforms; `undefined` accepts every host (the emulator has no platform
 * list, as it allows every CORS origin). Other schemes pass when they are `exp`,
 * `appwrite-callback-<projectId>`, or (with every host accepted) an app platform's.
 *
 * @internal
 */
export function checkRedirectUrl(
  url: string,
  projectId: string,
  hosts: readonly string[] | undefined,
): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase()
  let host = ''
  if (scheme !== undefined) {
    try {
      // Parsed to refuse what is not a URL, but the host is taken as written, as PHP's parse_url
      // gives it: WHATWG parsing rewrites `[0:0:0:0:0:0:0:1]` as `[::1]` (and `127.1` as
      // `127.0.0.1`), spellings the server's allow list does not take.
      host = new URL(url).hostname.toLowerCase()
      host = WRITTEN_HOST.exec(url.trim())?.[1]?.toLowerCase() ?? host
    } catch (error) {
      // Not parseable: no host, as PHP's parse_url gives none; the checks below refuse it.
      if (!(error instanceof TypeError)) throw error
    }
  }
  if (scheme !== undefined && scheme in WEB_SCHEMES) {
    if (host !== '' && allowedHost(host, hosts)) return
  } else if (scheme !== undefined) {
    if (scheme === 'exp' || scheme === `appwrite-callback-${projectId}`) return
    if (hosts === undefined && scheme in APP_SCHEMES) return
  }
  const platform = scheme === undefined ? '' : (WEB_SCHEMES[scheme] ?? APP_SCHEMES[scheme] ?? '')
  const description =
    host === '' && scheme === undefined
      ? 'Invalid URI.'
      : `Invalid URI. Register your new client ${host === '' ? '' : `(${host})`} as a new ${platform} platform on your project console dashboard`
  throw appwriteError('general_argument_invalid', `Invalid \`url\` param: ${description}`)
}

/**
 * Why the server's `Origin` validator refuses the `Origin` header `origin` of a client request or
 * realtime connection (`Invalid Origin. Register your new client (host) as a new Web platform on
 * your project console dashboard`), or `undefined` when it passes. `hosts` are the hostnames of the
 * project's Web platforms; `undefined` accepts every origin. Other schemes pass when they are
 * `exp`, `appwrite-callback-<projectId>`, or (with every host accepted) an app platform's.
 *
 * @internal
 */
export function originRefusal(
  origin: string,
  projectId: string,
  hosts: readonly string[] | undefined,
): string | undefined {
  if (hosts === undefined) return undefined
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(origin.trim())?.[1]?.toLowerCase()
  const host =
    scheme === undefined ? '' : (WRITTEN_HOST.exec(origin.trim())?.[1]?.toLowerCase() ?? '')
  if (scheme !== undefined && scheme in WEB_SCHEMES) {
    if (host !== '' && allowedHost(host, hosts)) return undefined
  } else if (scheme === 'exp' || scheme === `appwrite-callback-${projectId}`) return undefined
  if (host === '' && scheme === undefined) return 'Invalid Origin.'
  const platform = scheme === undefined ? '' : (WEB_SCHEMES[scheme] ?? APP_SCHEMES[scheme] ?? '')
  if (platform === '')
    return `Invalid Scheme. The scheme used (${scheme}) in the Origin (${origin}) is not supported. If you are using a custom scheme, please change it to \`appwrite-callback-<PROJECT_ID>\``
  return `Invalid Origin. Register your new client ${host === '' ? '' : `(${host})`} as a new ${platform} platform on your project console dashboard`
}

/** The host of a `scheme://[user@]host[:port]…` URL as written: a bracketed IPv6 literal or a name. */
const WRITTEN_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/i

function allowedHost(host: string, hosts: readonly string[] | undefined): boolean {
  if (hosts === undefined) return true
  const allowed = hosts.map((h) => h.toLowerCase())
  if (allowed.includes(host)) return true
  return LOOPBACK_ALIASES.has(host) && allowed.includes('localhost')
}

/**
 * `url` with `params` merged into its query string, as the server builds the link of an email
 * (`Template::parseURL`, `mergeQuery`, `unParseURL`): the query is rebuilt (PHP's
 * `http_build_query`: a space as `+`, `:` and `+` escaped), the rest of `url` is kept exactly as
 * given, unnormalised and unescaped, as PHP's `parse_url` splits it.
 *
 * @internal
 */
export function linkWith(url: string, params: Readonly<Record<string, string>>): string {
  const hash = url.indexOf('#')
  const fragment = hash === -1 ? '' : url.slice(hash)
  const beforeFragment = hash === -1 ? url : url.slice(0, hash)
  const mark = beforeFragment.indexOf('?')
  const base = mark === -1 ? beforeFragment : beforeFragment.slice(0, mark)
  const query = new URLSearchParams(mark === -1 ? '' : beforeFragment.slice(mark + 1))
  for (const [name, value] of Object.entries(params)) query.set(name, value)
  return `${base}?${query.toString()}${fragment}`
}

/* ------------------------------------------------------------------------------------------------
 * The outbox
 * --------------------------------------------------------------------------------------------- */

/** An email the Account service "sent": what the real email carries, for a test to read. */
export interface OutboxMessage {
  /** Position in the outbox: 1 for the first email since start (or `fake.reset()`). */
  readonly id: number
  /**
   * `'verification'` (`createEmailVerification`), `'recovery'` (`createRecovery`), `'magicUrl'`
   * (`createMagicURLToken`) or `'emailOtp'` (`createEmailToken`); for an SMS, `'phoneOtp'`
   * (`createPhoneToken`) or `'phoneVerification'` (`createPhoneVerification`).
   */
  readonly kind: TokenKind
  /** The user the token is for. */
  readonly userId: string
  /** The address it was sent to (`''` for an SMS). */
  readonly email: string
  /** The number an SMS was sent to (`''` for an email). */
  readonly phone: string
  /** The user's name (`''` when unset), as the email greets them. */
  readonly name: string
  /** The subject line of the server's English template, e.g. `Account Verification for booking-guard`. */
  readonly subject: string
  /** The email as plain text: greeting, the template's lines, the link or code, the phrase. */
  readonly text: string
  /** The token's secret: what `updateEmailVerification`, `updateRecovery` or `createSession` take. */
  readonly secret: string
  /**
   * The link in the email: the `url` the app gave (or the console's magic URL page) with
   * `userId`, `secret`, `expire` (and `project` for a magic URL) added to its query string, as
   * the server builds it. `null` for an email OTP, whose email carries the code only.
   */
  readonly url: string | null
  /** The security phrase when the app asked for one (`phrase: true`), else `''`. */
  readonly phrase: string
  /** When the token stops working, as the server writes datetimes (`…T…+00:00`). */
  readonly expire: string
  /** When the email was sent, on the fake's clock. */
  readonly createdAt: string
  /** The token's id (the `$id` of the `Token` the route answered). */
  readonly tokenId: string
}

/** Which outbox messages to return; every field given must match. */
export interface OutboxFilter {
  /** Only emails to this address (compared lower-cased). */
  email?: string
  /** Only SMS to this number. */
  phone?: string
  /** Only emails for this user. */
  userId?: string
  /** Only emails of this kind. */
  kind?: TokenKind
}

/** The most emails kept; older ones are dropped first. */
export const OUTBOX_LIMIT = 1_000

/**
 * The emails of one fake, newest last, up to {@link OUTBOX_LIMIT}.
 *
 * @internal
 */
export class Outbox {
  #messages: OutboxMessage[] = []
  #next = 1
  readonly #listeners = new Set<(message: OutboxMessage) => void>()

  /** Adds a message (its `id` is assigned here) and tells the listeners. */
  add(message: Omit<OutboxMessage, 'id'>): OutboxMessage {
    const sent: OutboxMessage = Object.freeze({ id: this.#next++, ...message })
    this.#messages.push(sent)
    if (this.#messages.length > OUTBOX_LIMIT) this.#messages.shift()
    for (const listener of [...this.#listeners]) listener(sent)
    return sent
  }

  /** The messages that match `filter`, oldest first. */
  list(filter: OutboxFilter = {}): OutboxMessage[] {
    const email = filter.email?.toLowerCase()
    return this.#messages.filter(
      (m) =>
        (email === undefined || m.email === email) &&
        (filter.phone === undefined || m.phone === filter.phone) &&
        (filter.userId === undefined || m.userId === filter.userId) &&
        (filter.kind === undefined || m.kind === filter.kind),
    )
  }

  /** Calls `listener` with every message added from now on; returns the unsubscribe function. */
  subscribe(listener: (message: OutboxMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  clear(): void {
    this.#messages = []
    this.#next = 1
  }
}

/**
 * Where the emails' links point and who they are from: the emulator sets them at start.
 *
 * @internal
 */
export interface MailSettings {
  /** The project id added to a magic URL link (`project=`) and allowed as `appwrite-callback-<id>`. */
  projectId: string
  /** The project name the email texts use. */
  projectName: string
  /** The link of a magic URL email when the app gives no `url` (the server's console page). */
  magicUrlPage: string
  /** Hostnames a redirect `url` may name; `undefined` accepts every host. */
  redirectHosts: readonly string[] | undefined
}

/** The subject and text lines of each email (the server's `en` templates). */
export function mailText(
  kind: TokenKind,
  project: string,
  name: string,
  body: { url: string | null; secret: string; phrase: string },
): { subject: string; text: string } {
  const hello = `Hello ${name},`
  const phraseLine =
    body.phrase === ''
      ? []
      : [
          `Security phrase for this email is ${body.phrase}. You can trust this email if this phrase matches the phrase shown during sign in.`,
        ]
  const lines = (subject: string, ...text: string[]) => ({
    subject,
    text: [...text, ...phraseLine, '', `${project} team`].join('\n'),
  })
  switch (kind) {
    case 'verification':
      return lines(
        `Account Verification for ${project}`,
        `Verify your email to activate your ${project} account.`,
        '',
        hello,
        `Follow this link to verify your email address to your ${project} account.`,
        body.url ?? '',
      )
    case 'recovery':
      return lines(
        `Password Reset for ${project}`,
        `Reset your ${project} password using the link.`,
        '',
        hello,
        `Follow this link to reset your ${project} password.`,
        body.url ?? '',
      )
    case 'magicUrl':
      return lines(
        `${project} Login`,
        `Sign in to ${project} with your secure link. Expires in 1 hour.`,
        '',
        hello,
        body.url ?? '',
      )
    case 'phoneOtp':
    case 'phoneVerification':
      // `sms.verification.body` in the `en` texts: the code alone.
      return { subject: '', text: body.secret }
    case 'emailOtp':
      return lines(
        `OTP for ${project} Login`,
        `Use OTP ${body.secret} to sign in to ${project}. Expires in 15 minutes.`,
        '',
        hello,
        `Enter the following verification code when prompted to securely sign in to your ${project} account: ${body.secret}`,
      )
  }
}
