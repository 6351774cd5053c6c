/**
 * Appwrite's error catalogue, as far as the fake raises it. Types, codes and default messages
 * follow the server's `app/config/errors.php` (github:appwrite/appwrite, 1.9.x).
 */
export const APPWRITE_ERRORS = {
  general_unknown: {
    code: 500,
    message: 'There was an error processing your request. Please check the inputs and try again.',
  },
  general_bad_request: {
    code: 400,
    message: 'There was an error processing your request. Please check the inputs and try again.',
  },
  general_argument_invalid: {
    code: 400,
    message:
      'The request contains one or more invalid arguments. Please refer to the endpoint documentation.',
  },
  general_query_invalid: {
    code: 400,
    message: "The query's syntax is invalid. Please check the query and try again.",
  },
  general_query_limit_exceeded: {
    code: 400,
    message:
      'Query limit exceeded for the current attribute. Usage of more than 100 query values on a single attribute is prohibited.',
  },
  general_rate_limit_exceeded: {
    code: 429,
    message:
      'Rate limit for the current endpoint has been exceeded. Please try again after some time.',
  },
  general_route_not_found: {
    code: 404,
    message: 'The requested route was not found. Please refer to the API docs and try again.',
  },
  general_server_error: { code: 500, message: 'An internal server error occurred.' },
  general_service_disabled: {
    code: 503,
    message:
      'The requested service is disabled. You can enable the service from the Appwrite console.',
  },
  project_not_found: {
    code: 404,
    message:
      'Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.',
  },
  user_unauthorized: {
    code: 401,
    message: 'The current user is not authorized to perform the requested action.',
  },
  database_not_found: { code: 404, message: 'Database not found' },
  database_already_exists: { code: 409, message: 'Database already exists' },
  collection_not_found: {
    code: 404,
    message: 'Collection with the requested ID could not be found.',
  },
  collection_already_exists: {
    code: 409,
    message:
      'A collection with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.',
  },
  table_not_found: { code: 404, message: 'Table with the requested ID could not be found.' },
  table_already_exists: {
    code: 409,
    message:
      'A table with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.',
  },
  document_not_found: { code: 404, message: 'Document with the requested ID could not be found.' },
  document_already_exists: {
    code: 409,
    message:
      'Document with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.',
  },
  document_invalid_structure: {
    code: 400,
    message:
      'The document structure is invalid. Please ensure the attributes match the collection definition.',
  },
  document_missing_data: {
    code: 400,
    message: 'The document data is missing. Try again with document data populated',
  },
  document_update_conflict: { code: 409, message: 'Remote document is newer than local.' },
  document_unique_constraint_violation: {
    code: 409,
    message: 'Document with the requested unique attributes already exists.',
  },
  row_not_found: { code: 404, message: 'Row with the requested ID could not be found.' },
  row_already_exists: {
    code: 409,
    message:
      'Row with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.',
  },
  row_invalid_structure: {
    code: 400,
    message: 'The row structure is invalid. Please ensure the columns match the table definition.',
  },
  row_missing_data: {
    code: 400,
    message: 'The row data is missing. Try again with row data populated',
  },
  row_update_conflict: { code: 409, message: 'Remote row is newer than local.' },
  attribute_not_available: {
    code: 400,
    message: 'The requested attribute is not yet available. Please try again later.',
  },
  column_not_available: {
    code: 400,
    message: 'The requested column is not yet available. Please try again later.',
  },
  transaction_not_found: {
    code: 404,
    message: 'Transaction with the requested ID could not be found.',
  },
  transaction_conflict: { code: 409, message: 'Transaction conflict detected.' },
  transaction_expired: { code: 410, message: 'Transaction has expired.' },
  transaction_not_ready: { code: 400, message: 'Transaction is not ready.' },
  transaction_failed: { code: 400, message: 'Transaction failed.' },
  transaction_limit_exceeded: { code: 400, message: 'Transaction operations limit exceeded.' },
} as const satisfies Record<string, { code: number; message: string }>

/** A type the fake knows from the server's catalogue. */
export type AppwriteErrorType = keyof typeof APPWRITE_ERRORS

/** The version string the fake reports in error bodies, like the server's `version` field. */
export const FAKE_SERVER_VERSION = '1.9.6'

/**
 * Shaped exactly like the SDKs' `AppwriteException` (`name`, `message`, `code`, `type`,
 * `response`), so code that inspects `error.code` / `error.type` sees what the real SDK throws.
 * `response` holds the raw JSON body the server would have sent.
 */
export class AppwriteException extends Error {
  code: number
  type: string
  response: string

  constructor(message: string, code = 0, type = '', response = '') {
    super(message)
    this.name = 'AppwriteException'
    this.code = code
    this.type = type
    this.response = response
  }
}

/**
 * Builds the error the server would send for `type`, with an optional custom message
 * (the server often says which column or id was wrong).
 *
 * @example
 * ```ts
 * throw appwriteError('row_not_found')
 * throw appwriteError('row_invalid_structure', 'Invalid document structure: Unknown attribute: "therapistId"')
 * ```
 */
export function appwriteError(type: AppwriteErrorType, message?: string): AppwriteException {
  const entry = APPWRITE_ERRORS[type]
  const text = message ?? entry.message
  const body = JSON.stringify({
    message: text,
    code: entry.code,
    type,
    version: FAKE_SERVER_VERSION,
  })
  return new AppwriteException(text, entry.code, type, body)
}

/** Whether `value` looks like an `AppwriteException` (from the fake or a real SDK). */
export function isAppwriteException(value: unknown): value is AppwriteException {
  return (
    value instanceof Error &&
    value.name === 'AppwriteException' &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { type?: unknown }).type === 'string'
  )
}

/**
 * A network failure as `fetch` reports it (`TypeError: fetch failed` with a `cause` carrying an
 * errno-style `code` such as `ECONNRESET`), which the SDKs let through unwrapped.
 */
export function networkError(code = 'ECONNRESET'): TypeError {
  const cause = Object.assign(new Error(`read ${code}`), { code, errno: -104, syscall: 'read' })
  return new TypeError('fetch failed', { cause })
}
