/**
 * Appwrite's error catalogue, as far as the fake raises it. Types, codes and messages follow the
 * server's `app/config/errors.php` (github:appwrite/appwrite, 1.9.x); a `%s` is filled by
 * {@link appwriteErrorFor} the way the server fills it with `sprintf` (an id, a key).
 */
export const APPWRITE_ERRORS = {
  general_unknown: {
    code: 500,
    message: 'An unknown error has occurred. Please check the logs for more information.',
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
  general_cursor_not_found: {
    code: 400,
    message:
      'The cursor is invalid. This can happen if the item represented by the cursor has been deleted.',
  },
  /** Not in the 1.9 catalogue (the server says `general_column_query_limit_exceeded`); kept for callers of earlier versions of the fake. */
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
    message:
      'Route not found. Please ensure the endpoint is configured correctly and that the API route is valid for this SDK version. Refer to the API docs for more details.',
  },
  general_server_error: { code: 500, message: 'An internal server error occurred.' },
  general_service_disabled: {
    code: 403,
    message:
      'The requested service is disabled. You can enable the service from the Appwrite console.',
  },
  general_not_implemented: {
    code: 405,
    message:
      'This method was not fully implemented yet. If you believe this is a mistake, please upgrade your Appwrite server version.',
  },
  general_unauthorized_scope: {
    code: 401,
    message:
      'The current user or API key does not have the required scopes to access the requested resource.',
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
  user_jwt_invalid: {
    code: 401,
    message:
      'The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to ensure the correct token is being used.',
  },
  user_already_exists: {
    code: 409,
    message: 'A user with the same id, email, or phone already exists in this project.',
  },
  user_email_already_exists: {
    code: 409,
    message: 'A user with the same email already exists in the current project.',
  },
  user_phone_already_exists: {
    code: 409,
    message: 'A user with the same phone number already exists in the current project.',
  },
  user_phone_not_found: {
    code: 400,
    message: 'The current user does not have a phone number associated with their account.',
  },
  user_phone_already_verified: { code: 409, message: 'User phone is already verified' },
  user_target_already_exists: { code: 409, message: 'A target with the same ID already exists.' },
  user_identity_not_found: {
    code: 404,
    message:
      'The identity could not be found. Please sign in with OAuth provider to create identity first.',
  },
  user_blocked: {
    code: 403,
    message: 'The current user has been blocked.',
  },
  user_invalid_credentials: {
    code: 401,
    message: 'Invalid credentials. Please check the email and password.',
  },
  user_session_already_exists: {
    code: 401,
    message: 'Creation of a session is prohibited when a session is active.',
  },
  user_session_not_found: {
    code: 404,
    message: 'The current user session could not be found.',
  },
  user_not_found: { code: 404, message: 'User with the requested ID could not be found.' },
  user_invalid_token: { code: 401, message: 'Invalid token passed in the request.' },
  user_email_not_found: { code: 400, message: 'User email could not be found.' },
  user_email_already_verified: { code: 409, message: 'User email is already verified' },
  function_not_found: {
    code: 404,
    message: 'Function with the requested ID could not be found.',
  },
  deployment_not_found: {
    code: 404,
    message: 'Deployment with the requested ID could not be found.',
  },
  execution_not_found: {
    code: 404,
    message: 'Execution with the requested ID could not be found.',
  },
  execution_in_progress: {
    code: 400,
    message:
      "Can't delete ongoing execution. Please wait for execution to finish before deleting it.",
  },
  database_not_found: {
    code: 404,
    message: "Database with the requested ID '%s' could not be found.",
  },
  database_already_exists: {
    code: 409,
    message:
      "Database with the requested ID '%s' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
  },
  database_timeout: {
    code: 408,
    message: 'Database timed out. Try adjusting your queries or adding an index.',
  },
  database_query_order_null: {
    code: 400,
    message:
      'The order attribute/column had a null value. Cursor pagination requires all documents/rows order attribute/column values are non-null.',
  },
  collection_not_found: {
    code: 404,
    message: "Collection with the requested ID '%s' could not be found.",
  },
  collection_already_exists: {
    code: 409,
    message:
      "A collection with the requested ID '%s' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
  },
  table_not_found: { code: 404, message: "Table with the requested ID '%s' could not be found." },
  table_already_exists: {
    code: 409,
    message:
      "A table with the requested ID '%s' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
  },
  document_not_found: {
    code: 404,
    message: "Document with the requested ID '%s' could not be found.",
  },
  document_already_exists: {
    code: 409,
    message:
      "Document with the requested ID '%s' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
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
  document_missing_payload: {
    code: 400,
    message:
      'The document data and permissions are missing. You must provide either document data or permissions to be updated.',
  },
  document_update_conflict: { code: 409, message: 'Remote document is newer than local.' },
  document_unique_constraint_violation: {
    code: 409,
    message: 'Document violates a unique attribute constraint. Try again with different value(s).',
  },
  row_not_found: { code: 404, message: "Row with the requested ID '%s' could not be found." },
  row_already_exists: {
    code: 409,
    message:
      "Row with the requested ID '%s' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.",
  },
  row_invalid_structure: {
    code: 400,
    message: 'The row structure is invalid. Please ensure the columns match the table definition.',
  },
  row_missing_data: {
    code: 400,
    message: 'The row data is missing. Try again with row data populated.',
  },
  row_missing_payload: {
    code: 400,
    message:
      'The row data and permissions are missing. You must provide either row data or permissions to be updated.',
  },
  row_update_conflict: { code: 409, message: 'Remote row is newer than local.' },
  row_unique_constraint_violation: {
    code: 409,
    message: 'Row violates a unique column constraint. Try again with different value(s).',
  },
  attribute_not_found: {
    code: 404,
    message: "Attribute with the requested key '%s' could not be found.",
  },
  attribute_not_available: {
    code: 400,
    message: "The requested attribute '%s' is not yet available. Please try again later.",
  },
  attribute_limit_exceeded: {
    code: 400,
    message: "The maximum number or size of attributes for collection '%s' has been reached.",
  },
  attribute_type_invalid: { code: 400, message: "The attribute '%s' type is invalid." },
  column_not_found: {
    code: 404,
    message: "Column with the requested key '%s' could not be found.",
  },
  column_not_available: {
    code: 400,
    message: "The requested column '%s' is not yet available. Please try again later.",
  },
  column_limit_exceeded: {
    code: 400,
    message: "The maximum number or size of columns for table '%s' has been reached.",
  },
  column_type_invalid: { code: 400, message: "The column '%s' type is invalid." },
  transaction_not_found: {
    code: 404,
    message: "Transaction with the requested ID '%s' could not be found.",
  },
  transaction_conflict: {
    code: 409,
    message: 'The transaction has a conflict. Please resolve the conflict and try again.',
  },
  transaction_expired: {
    code: 410,
    message: 'The transaction has expired. Please create a new transaction and try again.',
  },
  transaction_not_ready: {
    code: 400,
    message: 'The transaction is not ready yet. Please try again later.',
  },
  transaction_failed: {
    code: 400,
    message: 'The transaction has errored. Please check the transaction data and try again.',
  },
  transaction_limit_exceeded: {
    code: 400,
    message: 'The maximum number of operations per transaction has been exceeded.',
  },
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
 * Builds the error the server would send for `type`, with an optional custom message (the server
 * often says which column or id was wrong). Without a message, the catalogue text is used with its
 * `'%s'` placeholder left out; use {@link appwriteErrorFor} to fill it instead.
 *
 * @example
 * ```ts
 * throw appwriteError('general_rate_limit_exceeded')
 * throw appwriteError('row_invalid_structure', 'Invalid document structure: Unknown attribute: "therapistId"')
 * ```
 */
export function appwriteError(type: AppwriteErrorType, message?: string): AppwriteException {
  const entry = APPWRITE_ERRORS[type]
  const text = message ?? entry.message.replace(/ '%s'/g, '')
  const body = JSON.stringify({
    message: text,
    code: entry.code,
    type,
    version: FAKE_SERVER_VERSION,
  })
  return new AppwriteException(text, entry.code, type, body)
}

/**
 * Builds the error the server would send for `type` with the catalogue message's `%s` filled in
 * order by `params`, as the server's `new Exception($type, params: [$id])` does.
 *
 * @example
 * ```ts
 * throw appwriteErrorFor('row_not_found', 'booking-1')
 * // message: "Row with the requested ID 'booking-1' could not be found."
 * ```
 */
export function appwriteErrorFor(type: AppwriteErrorType, ...params: string[]): AppwriteException {
  let index = 0
  const text = APPWRITE_ERRORS[type].message.replace(/%s/g, () => params[index++] ?? '')
  return appwriteError(type, text)
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
