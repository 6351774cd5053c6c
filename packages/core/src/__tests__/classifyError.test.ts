import {
  APPWRITE_ERRORS,
  appwriteError as fakeAppwriteError,
  networkError as fakeNetworkError,
} from '@booking-guard/testing'
import type { AppwriteErrorType } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { BookingGuardError, CircuitOpenError } from '../index'
import { classifyAppwriteError, retryAfterHint } from '../resilience/index'

/** Shaped like the real SDK's AppwriteException (appwrite@27 / node-appwrite@27). */
class SdkAppwriteException extends Error {
  constructor(
    message: string,
    public code = 0,
    public type = '',
    public response = '',
  ) {
    super(message)
    this.name = 'AppwriteException'
  }
}

const sdkError = (code: number, type: string, message = 'x') =>
  new SdkAppwriteException(
    message,
    code,
    type,
    JSON.stringify({ message, code, type, version: '1.9.6' }),
  )

// Codes from the server's app/config/errors.php (see research/appwrite-protocol.md).
const CODES = {
  general_rate_limit_exceeded: 429,
  general_server_error: 500,
  general_unknown: 500,
  column_not_available: 400,
  attribute_not_available: 400,
  row_already_exists: 409,
  document_already_exists: 409,
  table_already_exists: 409,
} as const
const appwriteError = (type: keyof typeof CODES) => sdkError(CODES[type], type)

/** What Node's fetch (undici) throws when the connection fails; the SDKs let it through. */
const networkError = (code = 'ECONNRESET') =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error(`read ${code}`), { code, syscall: 'read' }),
  })

describe('classifyError', () => {
  describe('Appwrite errors (the fake and the real SDK shape)', () => {
    it.each([
      ['table_not_found', 404, 'missing-resource', /booking-guard provision/],
      ['collection_not_found', 404, 'missing-resource', /booking-guard provision/],
      ['database_not_found', 404, 'missing-resource', /databaseId/],
      ['row_not_found', 404, 'missing-resource', /does not exist/],
      ['document_not_found', 404, 'missing-resource', /does not exist/],
      ['column_not_found', 404, 'schema', /booking-guard provision/],
      ['row_invalid_structure', 400, 'schema', /booking-guard drift/],
      ['document_invalid_structure', 400, 'schema', /booking-guard drift/],
      ['general_query_invalid', 400, 'schema', /query is invalid/],
      ['general_argument_invalid', 400, 'schema', /argument/],
      ['user_unauthorized', 401, 'auth', /permissions/],
      ['row_unique_constraint_violation', 409, 'conflict', /slot is taken/],
      ['document_unique_constraint_violation', 409, 'conflict', /slot is taken/],
      ['document_update_conflict', 409, 'conflict', /read it again/],
      ['transaction_conflict', 409, 'conflict', /whole transaction/],
      ['transaction_expired', 410, 'conflict', /ttl/],
      ['transaction_not_found', 404, 'missing-resource', /start a new one/],
      ['general_route_not_found', 404, 'missing-resource', /1\.8/],
      ['project_not_found', 404, 'missing-resource', /project id/],
      ['general_service_disabled', 403, 'server', /enable it/],
      ['general_not_implemented', 405, 'server', /upgrade/],
      ['general_unauthorized_scope', 401, 'auth', /scope/],
    ] as const)(
      'should not retry %s (%i) and categorize it as %s',
      (type, status, category, reason) => {
        const verdict = classifyAppwriteError(sdkError(status, type))
        expect(verdict).toMatchObject({
          retryable: false,
          category,
          alreadyExists: false,
          type,
          status,
        })
        expect(verdict.reason).toMatch(reason)
      },
    )

    it.each([
      ['general_rate_limit_exceeded', 'rate-limit', 429],
      ['general_server_error', 'server', 500],
      ['general_unknown', 'server', 500],
      ['column_not_available', 'schema', 400],
      ['attribute_not_available', 'schema', 400],
    ] as const)('should retry %s (%s, %i)', (type, category, status) => {
      expect(classifyAppwriteError(appwriteError(type))).toMatchObject({
        retryable: true,
        category,
        status,
        type,
      })
    })

    it.each(['row_already_exists', 'document_already_exists', 'table_already_exists'] as const)(
      'should report %s as alreadyExists so a create-or-get step can count it as done',
      (type) => {
        const verdict = classifyAppwriteError(appwriteError(type))
        expect(verdict).toMatchObject({
          retryable: false,
          category: 'conflict',
          alreadyExists: true,
          status: 409,
        })
        expect(verdict.reason).toMatch(/create-or-get/)
      },
    )

    it.each([
      [502, 'server', true],
      [503, 'server', true],
      [504, 'server', true],
      [501, 'server', false],
      [429, 'rate-limit', true],
      [408, 'network', true],
      [401, 'auth', false],
      [403, 'auth', false],
      [404, 'missing-resource', false],
      [409, 'conflict', false],
      [400, 'schema', false],
      [418, 'unknown', false],
    ] as const)(
      'should fall back to the HTTP status %i when the type is empty (non-JSON body)',
      (status, category, retryable) => {
        const error = new SdkAppwriteException(
          '<html>Bad Gateway</html>',
          status,
          '',
          '<html>Bad Gateway</html>',
        )
        expect(classifyAppwriteError(error)).toMatchObject({
          category,
          retryable,
          status,
          type: undefined,
        })
      },
    )

    it('should treat a code-0 AppwriteException from a failed fetch (older SDKs) as a retryable network failure', () => {
      for (const message of [
        'fetch failed',
        'Failed to fetch',
        'NetworkError when attempting to fetch resource.',
        'Load failed',
      ]) {
        expect(classifyAppwriteError(new SdkAppwriteException(message))).toMatchObject({
          retryable: true,
          category: 'network',
          status: 0,
        })
      }
    })

    it('should retry a code-0 AppwriteException for a timeout but not for a caller abort', () => {
      expect(
        classifyAppwriteError(new SdkAppwriteException('The operation was aborted due to timeout')),
      ).toMatchObject({ retryable: true, category: 'network' })
      expect(
        classifyAppwriteError(new SdkAppwriteException('This operation was aborted')),
      ).toMatchObject({
        retryable: false,
        category: 'unknown',
      })
    })

    it('should not retry a code-0 AppwriteException the SDK throws for a missing argument', () => {
      const verdict = classifyAppwriteError(
        new SdkAppwriteException('Missing required parameter: "databaseId"'),
      )
      expect(verdict).toMatchObject({ retryable: false, category: 'unknown' })
      expect(verdict.reason).toMatch(/check the arguments/)
    })
  })

  describe('@booking-guard/testing fake', () => {
    const types = Object.keys(APPWRITE_ERRORS) as AppwriteErrorType[]

    it.each(types)("should classify the fake's %s exactly like the real SDK shape", (type) => {
      const fake = fakeAppwriteError(type)
      expect(classifyAppwriteError(fake)).toEqual(
        classifyAppwriteError(sdkError(fake.code, type, fake.message)),
      )
    })

    it('should give every error the fake can raise a known category and retry only 5xx, 429, 408 and pending columns', () => {
      const verdicts = types.map((type) => ({
        ...classifyAppwriteError(fakeAppwriteError(type)),
        type,
      }))
      const expectedRetryable = types.filter((type) => {
        const { code } = APPWRITE_ERRORS[type]
        return (
          code >= 500 ||
          code === 429 ||
          code === 408 ||
          type === 'column_not_available' ||
          type === 'attribute_not_available'
        )
      })
      expect(verdicts.filter((v) => v.category === 'unknown').map((v) => v.type)).toEqual([])
      expect(verdicts.filter((v) => v.retryable).map((v) => v.type)).toEqual(expectedRetryable)
    })

    it("should retry the fake's network error", () => {
      expect(classifyAppwriteError(fakeNetworkError('ECONNRESET'))).toMatchObject({
        retryable: true,
        category: 'network',
      })
    })
  })

  describe('network failures', () => {
    it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])(
      'should retry TypeError("fetch failed") caused by %s',
      (code) => {
        expect(classifyAppwriteError(networkError(code))).toMatchObject({
          retryable: true,
          category: 'network',
          type: code,
          status: 0,
        })
      },
    )

    it('should name the endpoint when the host cannot be reached', () => {
      expect(classifyAppwriteError(networkError('ENOTFOUND')).reason).toMatch(/endpoint/)
    })

    it.each([
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
    ])('should retry an undici %s error, alone or as the cause of fetch failed', (code) => {
      const undici = Object.assign(new Error('undici'), { name: 'UndiciError', code })
      expect(classifyAppwriteError(undici)).toMatchObject({
        retryable: true,
        category: 'network',
        type: code,
      })
      expect(classifyAppwriteError(new TypeError('fetch failed', { cause: undici }))).toMatchObject(
        {
          retryable: true,
          type: code,
        },
      )
    })

    it('should not retry other undici errors such as an invalid argument', () => {
      const undici = Object.assign(new Error('invalid method'), { code: 'UND_ERR_INVALID_ARG' })
      expect(classifyAppwriteError(undici)).toMatchObject({ retryable: false, category: 'network' })
    })

    it('should retry a TypeError("fetch failed") with no cause', () => {
      expect(classifyAppwriteError(new TypeError('fetch failed'))).toMatchObject({
        retryable: true,
        category: 'network',
      })
    })

    it('should not treat an unrelated TypeError as a network failure', () => {
      expect(
        classifyAppwriteError(new TypeError("Cannot read properties of undefined (reading 'x')")),
      ).toMatchObject({
        retryable: false,
        category: 'unknown',
      })
    })

    it('should retry a TimeoutError from AbortSignal.timeout()', async () => {
      const signal = AbortSignal.timeout(0)
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect((signal.reason as Error).name).toBe('TimeoutError')
      expect(classifyAppwriteError(signal.reason)).toMatchObject({
        retryable: true,
        category: 'network',
      })
    })

    it('should not retry a caller abort (AbortError)', () => {
      const controller = new AbortController()
      controller.abort()
      expect(classifyAppwriteError(controller.signal.reason)).toMatchObject({
        retryable: false,
        category: 'unknown',
      })
    })

    it('should retry an AbortError whose cause is a TimeoutError', () => {
      const timeout = new DOMException('timed out', 'TimeoutError')
      const abort = Object.assign(new DOMException('aborted', 'AbortError'), { cause: timeout })
      expect(classifyAppwriteError(abort)).toMatchObject({ retryable: true, category: 'network' })
    })
  })

  describe("booking-guard's own errors and other values", () => {
    it('should not retry a CircuitOpenError and categorize it as server', () => {
      const error = new CircuitOpenError('circuit breaker "appwrite" is open', {
        state: 'open',
        nextProbeAt: 1,
      })
      expect(classifyAppwriteError(error)).toMatchObject({
        retryable: false,
        category: 'server',
        type: 'CIRCUIT_OPEN',
      })
    })

    it('should map other codes to their category without retrying', () => {
      expect(classifyAppwriteError(new BookingGuardError('SLOT_TAKEN', 'taken'))).toMatchObject({
        retryable: false,
        category: 'conflict',
      })
      expect(
        classifyAppwriteError(
          new BookingGuardError('BOOKING_PIPELINE', 'step failed', { cause: networkError() }),
        ),
      ).toMatchObject({ retryable: false, category: 'network' })
    })

    it('should classify strings, plain objects and primitives without throwing', () => {
      expect(classifyAppwriteError('boom')).toMatchObject({ retryable: false, category: 'unknown' })
      expect(classifyAppwriteError('boom').reason).toMatch(/"boom"/)
      expect(classifyAppwriteError(undefined)).toMatchObject({
        retryable: false,
        category: 'unknown',
      })
      expect(classifyAppwriteError(42)).toMatchObject({ retryable: false })
      expect(classifyAppwriteError({ message: 'weird' }).reason).toMatch(/weird/)
      expect(classifyAppwriteError({ status: 503 })).toMatchObject({
        retryable: true,
        category: 'server',
        status: 503,
      })
      expect(classifyAppwriteError({ response: { status: 429 } })).toMatchObject({
        retryable: true,
        category: 'rate-limit',
      })
      expect(
        classifyAppwriteError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
      ).toMatchObject({
        retryable: true,
        category: 'network',
      })
    })

    it('should survive a cyclic cause chain', () => {
      const a = new Error('a') as Error & { cause?: unknown }
      const b = new Error('b', { cause: a })
      a.cause = b
      expect(classifyAppwriteError(a)).toMatchObject({ retryable: false, category: 'unknown' })
    })
  })

  describe('retryAfterHint', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')

    it('should read retryAfterMs in milliseconds and retryAfter in seconds', () => {
      expect(retryAfterHint(Object.assign(new Error(), { retryAfterMs: 1_500 }), now)).toBe(1_500)
      expect(retryAfterHint(Object.assign(new Error(), { retryAfter: 2 }), now)).toBe(2_000)
      expect(retryAfterHint(Object.assign(new Error(), { retryAfter: '3' }), now)).toBe(3_000)
    })

    it('should read an HTTP-date relative to now', () => {
      const error = Object.assign(new Error(), { retryAfter: 'Thu, 01 Jan 2026 00:00:04 GMT' })
      expect(retryAfterHint(error, now)).toBe(4_000)
    })

    it('should read a Headers object or a plain header record', () => {
      expect(retryAfterHint({ headers: new Headers({ 'Retry-After': '5' }) }, now)).toBe(5_000)
      expect(retryAfterHint({ response: { headers: { 'retry-after': '6' } } }, now)).toBe(6_000)
    })

    it('should read a hint inside the JSON response body of an AppwriteException', () => {
      const error = new SdkAppwriteException(
        'slow down',
        429,
        'general_rate_limit_exceeded',
        JSON.stringify({ retryAfter: 7 }),
      )
      expect(retryAfterHint(error, now)).toBe(7_000)
      expect(classifyAppwriteError(error, { now }).retryAfterMs).toBe(7_000)
    })

    it('should return undefined when there is no hint or it is malformed', () => {
      expect(retryAfterHint(appwriteError('general_rate_limit_exceeded'), now)).toBeUndefined()
      expect(
        retryAfterHint(Object.assign(new Error(), { retryAfter: 'soon' }), now),
      ).toBeUndefined()
      expect(
        retryAfterHint(new SdkAppwriteException('x', 429, '', '{"retryAfter": broken'), now),
      ).toBeUndefined()
      expect(retryAfterHint('nope', now)).toBeUndefined()
    })
  })
})
