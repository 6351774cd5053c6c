// The parameter validators of the admin routes (utopia-php/http validators), with their
// descriptions as the server words them.
import { CUSTOM_ID_DESCRIPTION, assertUid, isValidId } from '../ids'
import { INTEGER_MAX, INTEGER_MIN, normalizeColumn } from '../schema'
import type { ColumnDefinition, FakeColumn } from '../types'
import { columnValueFailure, formatPhpNumber, parseServerDatetime } from '../validation'
import type { ColumnKind } from './columnKinds'
import { paramError } from './errors'
import { LENGTH_KEY, MAX_ARRAY_PARAMS } from './limits'
import type { Params } from './params'

const INT64_DESCRIPTION = `Value must be a valid signed 64-bit integer between ${formatPhpNumber(INTEGER_MIN)} and ${formatPhpNumber(INTEGER_MAX)}`

/** The route's message when `min` is above `max`. */
export const MIN_OVER_MAX = 'Minimum value must be lesser than maximum value'

export function rangeDescription(min: number | bigint, max: number | bigint): string {
  return `Value must be a valid range between ${formatPhpNumber(min)} and ${formatPhpNumber(max)}`
}

export function textDescription(size: number): string {
  return size > 0
    ? `Value must be a valid string and no longer than ${size} chars`
    : 'Value must be a valid string'
}

export function isNullish(value: unknown): value is null | undefined {
  return value === undefined || value === null
}

export function assertKey(param: string, value: unknown, nullable = false): void {
  if (nullable && isNullish(value)) return
  if (!isValidId(value)) throw paramError(param, CUSTOM_ID_DESCRIPTION)
}

export function assertBoolean(param: string, value: unknown, optional = true): void {
  if (optional && isNullish(value)) return
  if (typeof value !== 'boolean') throw paramError(param, 'Value must be a valid boolean')
}

export function assertText(param: string, value: unknown, size: number, nullable: boolean): void {
  if (nullable && isNullish(value)) return
  if (typeof value !== 'string' || (size > 0 && [...value].length > size)) {
    throw paramError(param, textDescription(size))
  }
}

export function assertIntegerParam(param: string, value: unknown): void {
  if (isNullish(value)) return
  const ok =
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'bigint' && value >= INTEGER_MIN && value <= INTEGER_MAX)
  if (!ok) throw paramError(param, INT64_DESCRIPTION)
}

export function assertFloatParam(param: string, value: unknown): void {
  if (isNullish(value)) return
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw paramError(param, 'Value must be a valid float')
  }
}

export function assertRangeParam(param: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw paramError(param, rangeDescription(min, max))
  }
}

/** `Permission::aggregate`: `write(role)` becomes `update(role)` + `delete(role)`. */
export function aggregatePermissions(permissions: readonly string[]): string[] {
  const out = new Set<string>()
  for (const permission of permissions) {
    const match = /^write\((.*)\)$/.exec(permission)
    if (match) {
      out.add(`update(${match[1]})`)
      out.add(`delete(${match[1]})`)
    } else out.add(permission)
  }
  return [...out]
}

export function assertPermissions(value: unknown): asserts value is string[] | null | undefined {
  if (isNullish(value)) return
  let failure: string | undefined
  if (!Array.isArray(value)) failure = 'Permissions must be an array of strings.'
  else if (value.length > MAX_ARRAY_PARAMS)
    failure = `You can only provide up to ${MAX_ARRAY_PARAMS} permissions.`
  else if (value.some((item) => typeof item !== 'string'))
    failure = 'Every permission must be of type string.'
  if (failure !== undefined) throw paramError('permissions', failure)
}

/** A throwaway column to run the row validators on a `default` parameter. */
export function probeColumn(definition: Omit<ColumnDefinition, 'key'>): FakeColumn {
  return normalizeColumn('a default', { key: 'probe', ...definition }, '')
}

const EMAIL_PROBE = probeColumn({ type: 'email', size: 0 })
const URL_PROBE = probeColumn({ type: 'url', size: 0 })
const IP_PROBE = probeColumn({ type: 'ip', size: 0 })
/** Checks a `default` parameter the way each route's parameter validator does. */
export function assertDefaultParam(kind: ColumnKind, value: unknown): void {
  if (isNullish(value)) return
  let failure: string | undefined
  switch (kind) {
    case 'integer':
      return assertIntegerParam('default', value)
    case 'float':
      return assertFloatParam('default', value)
    case 'boolean':
      return assertBoolean('default', value)
    case 'datetime':
      if (parseServerDatetime(value) === undefined)
        failure = 'Value must be valid date between 1000-01-01 00:00:00 and 9999-12-31 23:59:59.'
      break
    case 'email':
      failure = columnValueFailure(EMAIL_PROBE, value)
      break
    case 'url':
      failure = columnValueFailure(URL_PROBE, value)
      break
    case 'ip':
      failure = columnValueFailure(IP_PROBE, value)
      break
    default:
      if (typeof value !== 'string') failure = 'Value must be a valid string'
  }
  if (failure !== undefined) throw paramError('default', failure)
}

export function assertElementsParam(value: unknown): asserts value is string[] {
  if (
    !Array.isArray(value) ||
    value.length > MAX_ARRAY_PARAMS ||
    value.some((item) => typeof item !== 'string' || [...item].length > LENGTH_KEY)
  ) {
    throw paramError(
      'elements',
      `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and ${textDescription(LENGTH_KEY)}`,
    )
  }
}

/** `databaseId` and `tableId`, checked as the routes declare them, in that order. */
export function assertTableIds(p: Params): void {
  assertUid('databaseId', p.databaseId)
  assertUid('tableId', p.tableId)
}

/** `databaseId`, `tableId` and a column or index `key`. */
export function assertKeyIds(p: Params): void {
  assertTableIds(p)
  assertKey('key', p.key)
}

/** The `columns` / `indexes` of `createTable`: an array of at most 100 JSON objects. */
export function assertObjectsParam(param: string, value: unknown): void {
  if (
    !isNullish(value) &&
    (!Array.isArray(value) ||
      value.length > MAX_ARRAY_PARAMS ||
      value.some((item) => item === null || typeof item !== 'object' || Array.isArray(item)))
  ) {
    throw paramError(
      param,
      `Value must a valid array no longer than ${MAX_ARRAY_PARAMS} items and Value must be a valid JSON object`,
    )
  }
}
