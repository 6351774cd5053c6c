// The management errors of the fake's admin, with the server's codes, types and wording.
import { APPWRITE_ERRORS, AppwriteException, FAKE_SERVER_VERSION, appwriteError } from '../errors'
import type { AppwriteErrorType } from '../errors'

/** Management errors the shared catalogue (`../errors.ts`) does not list yet. */

/** From github:appwrite/appwrite `app/config/errors.php` (1.9.x). */
const ADMIN_ERRORS = {
  column_already_exists: {
    code: 409,
    message:
      "Column with the requested key '%s' already exists. Column keys must be unique, try again with a different key.",
  },
  column_unknown: {
    code: 400,
    message:
      "The column '%s' required for the index could not be found. Please confirm all your columns are in the available state.",
  },
  column_default_unsupported: {
    code: 400,
    message: 'Default values cannot be set for array or required columns.',
  },
  column_value_invalid: {
    code: 400,
    message: 'The column value is invalid. Please check the type, range and value of the column.',
  },
  column_invalid_resize: {
    code: 400,
    message: 'Existing data is too large for new size, truncate your existing data then try again.',
  },
  column_index_not_found: {
    code: 404,
    message: "Index with the requested key '%s' could not be found.",
  },
  column_index_limit_exceeded: {
    code: 400,
    message: "The maximum number of indexes for table '%s' has been reached.",
  },
  column_index_already_exists: {
    code: 409,
    message: "Index with the requested key '%s' already exists. Try again with a different key.",
  },
  column_index_invalid: { code: 400, message: 'Index invalid.' },
  index_invalid: { code: 400, message: 'Index invalid.' },
} as const

type AdminErrorType = AppwriteErrorType | keyof typeof ADMIN_ERRORS

function catalogue(type: AdminErrorType): { code: number; message: string } {
  return type in ADMIN_ERRORS
    ? ADMIN_ERRORS[type as keyof typeof ADMIN_ERRORS]
    : APPWRITE_ERRORS[type as AppwriteErrorType]
}

/** The server's error; without `message`, the catalogue text as the server sends it with no params. */
export function fail(type: AdminErrorType, message?: string): AppwriteException {
  if (!(type in ADMIN_ERRORS) && message !== undefined) {
    return appwriteError(type as AppwriteErrorType, message)
  }
  const { code, message: text } = catalogue(type)
  const final = message ?? text
  const body = JSON.stringify({ message: final, code, type, version: FAKE_SERVER_VERSION })
  return new AppwriteException(final, code, type, body)
}

/** The server's error with the catalogue's `%s` filled, like `new Exception($type, params: [$id])`. */
export function failFor(type: AdminErrorType, ...params: string[]): AppwriteException {
  let index = 0
  return fail(
    type,
    catalogue(type).message.replace(/%s/g, () => params[index++] ?? ''),
  )
}

export function paramError(param: string, description: string): AppwriteException {
  return appwriteError('general_argument_invalid', `Invalid \`${param}\` param: ${description}`)
}
