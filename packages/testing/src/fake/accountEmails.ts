import { check } from './accounts'
import type { AccountStore, StoredUser } from './accounts'
import type {
  AccountFlowContext,
  FakeAccountModel,
  FakeSessionModel,
  FakeTokenModel,
} from './account'
import { appwriteError } from './errors'
import { assertUid } from './ids'
import { constantTimeEqual, sha256, toHex, utf8 } from './sha256'
import {
  Outbox,
  PHONE_TOKEN_KINDS,
  TOKEN_LIFETIME_MS,
  checkRedirectUrl,
  linkWith,
  mailText,
  securityPhrase,
  tokenSecret,
} from './tokens'
import type { MailSettings, StoredToken, StoredTokenKind, TokenKind } from './tokens'
import { toServerDatetime } from './validation'

/*
 * The Account service's email flows (verification, recovery, magic URL, email OTP), the sign-in
 * with their tokens and `users.createToken`'s, and the outbox their emails land in. `FakeAccount`
 * and `FakeUsers` keep the methods; their bodies run here once `installAccountFeatures` added
 * this to the fake (the emulator always does), so the root entry does not carry them.
 * Server facts (github:appwrite/appwrite 1.9.x): app/controllers/api/account.php.
 */

/** utopia's `Range` validator: an integer from `min` to `max`, with its message. */
function inRange(param: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw appwriteError(
      'general_argument_invalid',
      `Invalid \`${param}\` param: Value must be a valid range between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}`,
    )
  return value
}

/** The email flows and tokens of one fake's users. @internal */
export class AccountEmails {
  readonly #store: AccountStore
  /** The emails the verification, recovery, magic URL and OTP flows "sent". */
  readonly outbox = new Outbox()
  /** Where email links point; the emulator sets the project and its endpoint at start. */
  mail: MailSettings = {
    projectId: 'booking-guard',
    projectName: 'booking-guard',
    magicUrlPage: 'http://localhost/console/auth/magic-url',
    redirectHosts: undefined,
  }

  constructor(store: AccountStore) {
    this.#store = store
  }

  /**
   * Issues a token of `kind` for `user` (dropping its expired ones): stores the SHA-256 of a new
   * secret and answers the token with the secret, which only the email carries.
   */
  issueToken(
    user: StoredUser,
    kind: StoredTokenKind,
    generic: { lifetimeMs: number; length: number } = { lifetimeMs: 900_000, length: 6 },
  ): { token: StoredToken; secret: string } {
    const now = this.#store.now()
    const secret = tokenSecret(kind, generic.length)
    const token: StoredToken = {
      $id: this.#store.nextId(),
      $createdAt: now,
      kind,
      secretHash: toHex(sha256(utf8(secret))),
      expire: now + (kind === 'generic' ? generic.lifetimeMs : TOKEN_LIFETIME_MS[kind]),
    }
    user.tokens = [...(user.tokens ?? []).filter((t) => t.expire >= now), token]
    this.#store.noteChanged(user)
    return { token, secret }
  }

  /**
   * The live token of `user` whose secret is `secret` (of one of `kinds`, or any), as
   * `tokenVerify` finds it: the secret's hash matches and `expire` is not past.
   */
  findToken(
    user: StoredUser,
    secret: string,
    kinds?: readonly StoredTokenKind[],
  ): StoredToken | undefined {
    const hash = toHex(sha256(utf8(secret)))
    const now = this.#store.now()
    return (user.tokens ?? []).find(
      (t) =>
        (kinds === undefined || kinds.includes(t.kind)) &&
        constantTimeEqual(t.secretHash, hash) &&
        t.expire >= now,
    )
  }

  /** Deletes a used token: a secret works once. */
  deleteToken(user: StoredUser, tokenId: string): void {
    user.tokens = (user.tokens ?? []).filter((t) => t.$id !== tokenId)
    this.#store.noteChanged(user)
  }

  /**
   * `Response::MODEL_TOKEN`. `secret` is sensitive: `''` unless the caller is an API key
   * (`secret` given), as the server shows it.
   */
  tokenModel(
    token: StoredToken,
    userId: string,
    secret: string | false,
    phrase = '',
  ): FakeTokenModel {
    return {
      $id: token.$id,
      $createdAt: toServerDatetime(token.$createdAt),
      userId,
      secret: secret === false ? '' : secret,
      expire: toServerDatetime(token.expire),
      phrase,
    }
  }

  /** The token model for the caller: the secret only for an API key, as the server shows it. */
  #token(
    ctx: AccountFlowContext,
    token: StoredToken,
    userId: string,
    secret: string,
    phrase = '',
  ): FakeTokenModel {
    return this.tokenModel(token, userId, ctx.isKey() ? secret : false, phrase)
  }

  /**
   * Issues a token for `user` and "sends" its email (or, for a phone token, its SMS) to the
   * outbox: the link is `url` with `userId`, `secret` and `expire` (and `project` for a magic URL)
   * added, as the server builds it.
   */
  #send(
    user: StoredUser,
    kind: TokenKind,
    url: string | null,
    phrase: string,
  ): { token: StoredToken; secret: string } {
    const { token, secret } = this.issueToken(user, kind)
    const mail = this.mail
    const expire = this.tokenModel(token, user.$id, false).expire
    const link =
      url === null
        ? null
        : linkWith(url, {
            userId: user.$id,
            secret,
            expire,
            ...(kind === 'magicUrl' ? { project: mail.projectId } : {}),
          })
    const { subject, text } = mailText(kind, mail.projectName, user.name ?? '', {
      url: link,
      secret,
      phrase,
    })
    // A phone token goes by SMS: to the number, with no link (the code alone, as the server's
    // `en` text is).
    const sms = PHONE_TOKEN_KINDS.includes(kind)
    this.outbox.add({
      kind,
      userId: user.$id,
      email: sms ? '' : (user.email ?? ''),
      phone: sms ? (user.phone ?? '') : '',
      name: user.name ?? '',
      subject,
      text,
      secret,
      url: link,
      phrase,
      expire,
      createdAt: this.tokenModel(token, user.$id, false).$createdAt,
      tokenId: token.$id,
    })
    return { token, secret }
  }

  #redirect(url: unknown): string {
    check.required('url', url)
    // Anything but a string has no scheme and no host: the validator's `Invalid URI.`.
    const text = typeof url === 'string' ? url : ''
    checkRedirectUrl(text, this.mail.projectId, this.mail.redirectHosts)
    return text
  }

  /** `FakeAccount.createEmailVerification`. */
  createEmailVerification(ctx: AccountFlowContext, params: { url: string }): FakeTokenModel {
    const { user } = ctx.me()
    const url = this.#redirect(params.url)
    if (user.email === null || user.email === '') throw appwriteError('user_email_not_found')
    if (user.emailVerification) throw appwriteError('user_email_already_verified')
    const { token, secret } = this.#send(user, 'verification', url, '')
    const model = this.#token(ctx, token, user.$id, secret)
    this.#store.emit(user, `verification.${token.$id}.create`, { ...model, secret: '' })
    return model
  }

  /** `FakeAccount.updateEmailVerification`. */
  updateEmailVerification(
    ctx: AccountFlowContext,
    params: { userId: string; secret: string },
  ): FakeTokenModel {
    const user = this.#tokenUser(params.userId, params.secret)
    const token = this.findToken(user, params.secret, ['verification'])
    if (token === undefined) throw appwriteError('user_invalid_token')
    user.emailVerification = true
    this.#store.touch(user)
    this.deleteToken(user, token.$id)
    const model = this.#token(ctx, token, user.$id, token.secretHash)
    this.#store.emit(user, `verification.${token.$id}.update`, { ...model, secret: '' })
    return model
  }

  /** The user a confirmation names (`UID` validator, then `user_not_found`), its secret checked as `Text(256)`. */
  #tokenUser(userId: unknown, secret: unknown): StoredUser {
    check.required('userId', userId)
    check.required('secret', secret)
    assertUid('userId', userId)
    check.text('secret', secret, 256)
    const user = this.#store.user(userId)
    if (user === undefined) throw appwriteError('user_not_found')
    return user
  }

  /** `FakeAccount.createRecovery`. */
  createRecovery(ctx: AccountFlowContext, params: { email: string; url: string }): FakeTokenModel {
    check.required('email', params.email)
    const email = check.email(params.email)
    const url = this.#redirect(params.url)
    const user = this.#store.byEmail(email)
    if (user === undefined) throw appwriteError('user_not_found')
    if (!user.status) throw appwriteError('user_blocked')
    const { token, secret } = this.#send(user, 'recovery', url, '')
    const model = this.#token(ctx, token, user.$id, secret)
    this.#store.emit(user, `recovery.${token.$id}.create`, { ...model, secret: '' })
    return model
  }

  /** `FakeAccount.updateRecovery`. */
  async updateRecovery(
    ctx: AccountFlowContext,
    params: { userId: string; secret: string; password: string },
  ): Promise<FakeTokenModel> {
    const user = this.#tokenUser(params.userId, params.secret)
    check.required('password', params.password)
    const password = check.password(params.password)
    const token = this.findToken(user, params.secret, ['recovery'])
    if (token === undefined) throw appwriteError('user_invalid_token')
    // Used up before the password is hashed, so two confirmations cannot both pass.
    this.deleteToken(user, token.$id)
    await this.#store.setPassword(user, password)
    user.emailVerification = true
    for (const session of this.#store.sessionsOf(user.$id))
      this.#store.deleteSession(session.$id, { emit: false })
    const model = this.#token(ctx, token, user.$id, token.secretHash)
    this.#store.emit(user, `recovery.${token.$id}.update`, { ...model, secret: '' })
    return model
  }

  /**
   * The user with `email`, created (no password, unverified) under `userId` when the address is
   * new, as the token routes do; an existing user keeps its id and `userId` is ignored.
   */
  async #userForEmail(userId: unknown, email: unknown): Promise<StoredUser> {
    check.required('userId', userId)
    check.required('email', email)
    const id = check.customId('userId', userId)
    const address = check.email(email)
    const found = this.#store.byEmail(address)
    if (found !== undefined) return found
    return this.#store.createUser({ userId: id, email: address, password: null, name: null })
  }

  #phrase(phrase: unknown): string {
    if (phrase !== undefined && typeof phrase !== 'boolean')
      throw appwriteError(
        'general_argument_invalid',
        'Invalid `phrase` param: Value must be a valid boolean',
      )
    return phrase === true ? securityPhrase() : ''
  }

  /** `FakeAccount.createEmailToken`. */
  async createEmailToken(
    ctx: AccountFlowContext,
    params: { userId: string; email: string; phrase?: boolean },
  ): Promise<FakeTokenModel> {
    const phrase = this.#phrase(params.phrase)
    const user = await this.#userForEmail(params.userId, params.email)
    const { token, secret } = this.#send(user, 'emailOtp', null, phrase)
    return this.#token(ctx, token, user.$id, secret, phrase)
  }

  /** `FakeAccount.createMagicURLToken`. */
  async createMagicURLToken(
    ctx: AccountFlowContext,
    params: { userId: string; email: string; url?: string; phrase?: boolean },
  ): Promise<FakeTokenModel> {
    const url =
      params.url === undefined || params.url === ''
        ? this.mail.magicUrlPage
        : this.#redirect(params.url)
    const phrase = this.#phrase(params.phrase)
    const user = await this.#userForEmail(params.userId, params.email)
    const { token, secret } = this.#send(user, 'magicUrl', url, phrase)
    return this.#token(ctx, token, user.$id, secret, phrase)
  }

  /** `FakeAccount.createSession` and `updateMagicURLSession`: a session for a sign-in token. */
  tokenSession(
    ctx: AccountFlowContext,
    params: { userId: unknown; secret: unknown },
  ): FakeSessionModel {
    check.required('userId', params.userId)
    check.required('secret', params.secret)
    const userId = check.customId('userId', params.userId)
    const secret = check.text('secret', params.secret, 256)
    ctx.noSession()
    const user = this.#store.user(userId)
    // Only a sign-in token opens a session: the server refuses an email verification or recovery
    // secret. A phone verification code is the same kind of token as a phone sign-in code there.
    const token =
      user === undefined
        ? undefined
        : this.findToken(user, secret, ['magicUrl', 'emailOtp', 'generic', ...PHONE_TOKEN_KINDS])
    if (user === undefined || token === undefined) throw appwriteError('user_invalid_token')
    const phone = PHONE_TOKEN_KINDS.includes(token.kind)
    const { session, value } = this.#store.createSession(
      user,
      token.kind === 'magicUrl' ? 'magic-url' : phone ? 'phone' : 'token',
      token.kind === 'generic' ? 'token' : phone ? 'phone' : 'email',
      ctx.ip(),
    )
    this.deleteToken(user, token.$id)
    if (phone && !user.phoneVerification) {
      user.phoneVerification = true
      this.#store.touch(user)
    } else if (!phone && token.kind !== 'generic' && !user.emailVerification) {
      user.emailVerification = true
      this.#store.touch(user)
    }
    return ctx.signedIn(session, value)
  }

  /**
   * `FakeAccount.createPhoneToken`: the user with `phone`, created (no password, unverified)
   * under `userId` when the number is new, gets a six-digit code by SMS, valid 15 minutes.
   */
  async createPhoneToken(
    ctx: AccountFlowContext,
    params: { userId: string; phone: string },
  ): Promise<FakeTokenModel> {
    check.required('userId', params.userId)
    check.required('phone', params.phone)
    const id = check.customId('userId', params.userId)
    const phone = check.phone(params.phone)
    const user =
      this.#store.users().find((candidate) => candidate.phone === phone) ??
      (await this.#store.createUser({ userId: id, email: null, password: null, name: null, phone }))
    const { token, secret } = this.#send(user, 'phoneOtp', null, '')
    return this.#token(ctx, token, user.$id, secret)
  }

  /** `FakeAccount.createPhoneVerification`: a code by SMS to the signed-in user's phone. */
  createPhoneVerification(ctx: AccountFlowContext): FakeTokenModel {
    const { user } = ctx.me()
    if (user.phone === null || user.phone === '') throw appwriteError('user_phone_not_found')
    if (user.phoneVerification) throw appwriteError('user_phone_already_verified')
    const { token, secret } = this.#send(user, 'phoneVerification', null, '')
    const model = this.#token(ctx, token, user.$id, secret)
    this.#store.emit(user, `verification.${token.$id}.create`, { ...model, secret: '' })
    return model
  }

  /** `FakeAccount.updatePhoneVerification`: confirms the phone with a phone code, used up. */
  updatePhoneVerification(
    ctx: AccountFlowContext,
    params: { userId: string; secret: string },
  ): FakeTokenModel {
    const user = this.#tokenUser(params.userId, params.secret)
    const token = this.findToken(user, params.secret, PHONE_TOKEN_KINDS)
    if (token === undefined) throw appwriteError('user_invalid_token')
    user.phoneVerification = true
    this.#store.touch(user)
    this.deleteToken(user, token.$id)
    const model = this.#token(ctx, token, user.$id, token.secretHash)
    this.#store.emit(user, `verification.${token.$id}.update`, { ...model, secret: '' })
    return model
  }

  /** `FakeAccount.updatePhone`. */
  async updatePhone(
    ctx: AccountFlowContext,
    params: { phone: string; password: string },
  ): Promise<FakeAccountModel> {
    const { user } = ctx.me()
    check.required('phone', params.phone)
    check.required('password', params.password)
    const phone = check.phone(params.phone)
    const password = check.password(params.password)
    if (user.password !== null && !(await this.#store.checkPassword(user, password)))
      throw appwriteError('user_invalid_credentials')
    if (this.#store.users().some((other) => other.phone === phone))
      throw appwriteError('user_target_already_exists')
    if (user.password === null) await this.#store.setPassword(user, password)
    user.phone = phone
    user.phoneVerification = false
    this.#store.touch(user)
    this.#store.emit(user, 'update.phone')
    return this.#store.accountModel(user) as unknown as FakeAccountModel
  }

  /** `FakeUsers.createToken`: a token of `length` hex chars valid `expire` seconds, not emailed. */
  createUserToken(user: StoredUser, params: { length?: number; expire?: number }): FakeTokenModel {
    const length = inRange('length', params.length ?? 6, 4, 128)
    const expire = inRange('expire', params.expire ?? 900, 60, 31_536_000)
    const { token, secret } = this.issueToken(user, 'generic', {
      lifetimeMs: expire * 1000,
      length,
    })
    const model = this.tokenModel(token, user.$id, secret)
    this.#store.emit(user, `tokens.${token.$id}.create`, { ...model })
    return model
  }
}
