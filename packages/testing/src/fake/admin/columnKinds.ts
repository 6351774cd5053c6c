// The column kinds of the fake's admin, as one table: per kind, the SDK's create and update
// methods, the order of their deprecated positional arguments, the arguments they require, the
// fixed size the server stores, and (as types) their object parameters, positional tuples and
// answer models. `FakeTablesDBAdmin`'s 26 `create…Column` / `update…Column` methods are one-line
// delegates over it.
import type {
  FakeColumnBooleanModel,
  FakeColumnDatetimeModel,
  FakeColumnEnumModel,
  FakeColumnFloatModel,
  FakeColumnFormatModel,
  FakeColumnIntegerModel,
  FakeColumnStringModel,
  FakeColumnTextModel,
  FakeColumnVarcharModel,
} from './models'
import type {
  CreateBooleanColumnParams,
  CreateEnumColumnParams,
  CreateFloatColumnParams,
  CreateFormatColumnParams,
  CreateIntegerColumnParams,
  CreateSizedColumnParams,
  CreateTextColumnParams,
  UpdateBooleanColumnParams,
  UpdateEnumColumnParams,
  UpdateFloatColumnParams,
  UpdateIntegerColumnParams,
  UpdateSizedColumnParams,
  UpdateTextColumnParams,
} from './params'
import type { ColumnType, FakeColumn } from '../types'
import { LENGTH_KEY } from './limits'

/** The column kinds the SDK creates, one `create…Column` / `update…Column` pair each (a declaration's `double` is `float` here). @internal */
export type ColumnKind = Exclude<ColumnType, 'double'>

/** One SDK method of a kind: its name, positional order, and required arguments. @internal */
export interface ColumnMethod {
  readonly operation: string
  readonly positional: readonly string[]
  readonly required: readonly string[]
}

const BASE = ['databaseId', 'tableId', 'key', 'required'] as const
const UPDATE_REQUIRED = [...BASE, 'xdefault'] as const

/** One column kind: its SDK methods, and the size the server gives columns of that kind. @internal */
export interface ColumnKindSpec {
  readonly create: ColumnMethod
  readonly update: ColumnMethod
  /** The `size` stored for kinds whose size the caller does not choose, in characters or bytes. */
  readonly size?: number
}

/** A kind's create and update methods. */
function kind(
  name: string,
  create: readonly string[],
  update: readonly string[],
  required: { create?: readonly string[]; update?: readonly string[] } = {},
  size?: number,
): ColumnKindSpec {
  return {
    size,
    create: {
      operation: `create${name}Column`,
      positional: create,
      required: required.create ?? BASE,
    },
    update: {
      operation: `update${name}Column`,
      positional: update,
      required: required.update ?? UPDATE_REQUIRED,
    },
  }
}

const SIZED_CREATE = [
  'databaseId',
  'tableId',
  'key',
  'size',
  'required',
  'xdefault',
  'array',
  'encrypt',
]
const SIZED_UPDATE = [...BASE, 'xdefault', 'size', 'newKey']
const TEXT_CREATE = [...BASE, 'xdefault', 'array', 'encrypt']
const FORMAT_CREATE = [...BASE, 'xdefault', 'array']
const PLAIN_UPDATE = [...BASE, 'xdefault', 'newKey']
const RANGE_CREATE = [...BASE, 'min', 'max', 'xdefault', 'array']
const RANGE_UPDATE = [...BASE, 'xdefault', 'min', 'max', 'newKey']
const SIZED_REQUIRED = { create: ['databaseId', 'tableId', 'key', 'size', 'required'] }

/** Every column kind's SDK methods, as the server's routes define them. @internal */
export const COLUMN_KINDS: Readonly<Record<ColumnKind, ColumnKindSpec>> = {
  string: kind('String', SIZED_CREATE, SIZED_UPDATE, SIZED_REQUIRED),
  varchar: kind('Varchar', SIZED_CREATE, SIZED_UPDATE, SIZED_REQUIRED),
  text: kind('Text', TEXT_CREATE, PLAIN_UPDATE, {}, 65_535),
  mediumtext: kind('Mediumtext', TEXT_CREATE, PLAIN_UPDATE, {}, 16_777_215),
  longtext: kind('Longtext', TEXT_CREATE, PLAIN_UPDATE, {}, 2_147_483_647),
  integer: kind('Integer', RANGE_CREATE, RANGE_UPDATE),
  float: kind('Float', RANGE_CREATE, RANGE_UPDATE),
  boolean: kind('Boolean', FORMAT_CREATE, PLAIN_UPDATE),
  datetime: kind('Datetime', FORMAT_CREATE, PLAIN_UPDATE),
  email: kind('Email', FORMAT_CREATE, PLAIN_UPDATE, {}, 254),
  url: kind('Url', FORMAT_CREATE, PLAIN_UPDATE, {}, 2_000),
  ip: kind('Ip', FORMAT_CREATE, PLAIN_UPDATE, {}, 39),
  enum: kind(
    'Enum',
    ['databaseId', 'tableId', 'key', 'elements', 'required', 'xdefault', 'array'],
    ['databaseId', 'tableId', 'key', 'elements', 'required', 'xdefault', 'newKey'],
    {
      create: ['databaseId', 'tableId', 'key', 'elements', 'required'],
      update: [...UPDATE_REQUIRED, 'elements'],
    },
    LENGTH_KEY,
  ),
}

/** The kind a stored column was created as, for the type check of `update…Column`. @internal */
export function kindOf(column: FakeColumn): ColumnKind {
  switch (column.type) {
    case 'double':
      return 'float'
    case 'string':
      return column.format === '' ? 'string' : column.format
    default:
      return column.type
  }
}

type Base = [databaseId: string, tableId: string, key: string]
type SizedCreate = [
  ...Base,
  size: number,
  required: boolean,
  xdefault?: string,
  array?: boolean,
  encrypt?: boolean,
]
type SizedUpdate = [...Base, required: boolean, xdefault?: string, size?: number, newKey?: string]
type TextCreate = [
  ...Base,
  required: boolean,
  xdefault?: string,
  array?: boolean,
  encrypt?: boolean,
]
type FormatCreate<D> = [...Base, required: boolean, xdefault?: D, array?: boolean]
type PlainUpdate<D> = [...Base, required: boolean, xdefault?: D, newKey?: string]
type RangeCreate<N> = [...Base, required: boolean, min?: N, max?: N, xdefault?: N, array?: boolean]
type RangeUpdate<N> = [...Base, required: boolean, xdefault?: N, min?: N, max?: N, newKey?: string]

/**
 * Per kind, as types: `[object params, positional tuple]` of create and update, and the model
 * both answer with. @internal
 */
export interface ColumnKindTypes {
  string: {
    create: [CreateSizedColumnParams, SizedCreate]
    update: [UpdateSizedColumnParams, SizedUpdate]
    model: FakeColumnStringModel
  }
  varchar: {
    create: [CreateSizedColumnParams, SizedCreate]
    update: [UpdateSizedColumnParams, SizedUpdate]
    model: FakeColumnVarcharModel
  }
  text: {
    create: [CreateTextColumnParams, TextCreate]
    update: [UpdateTextColumnParams, PlainUpdate<string>]
    model: FakeColumnTextModel
  }
  mediumtext: ColumnKindTypes['text']
  longtext: ColumnKindTypes['text']
  integer: {
    create: [CreateIntegerColumnParams, RangeCreate<number | bigint>]
    update: [UpdateIntegerColumnParams, RangeUpdate<number | bigint>]
    model: FakeColumnIntegerModel
  }
  float: {
    create: [CreateFloatColumnParams, RangeCreate<number>]
    update: [UpdateFloatColumnParams, RangeUpdate<number>]
    model: FakeColumnFloatModel
  }
  boolean: {
    create: [CreateBooleanColumnParams, FormatCreate<boolean>]
    update: [UpdateBooleanColumnParams, PlainUpdate<boolean>]
    model: FakeColumnBooleanModel
  }
  datetime: {
    create: [CreateFormatColumnParams, FormatCreate<string>]
    update: [UpdateTextColumnParams, PlainUpdate<string>]
    model: FakeColumnDatetimeModel
  }
  email: {
    create: [CreateFormatColumnParams, FormatCreate<string>]
    update: [UpdateTextColumnParams, PlainUpdate<string>]
    model: FakeColumnFormatModel
  }
  url: ColumnKindTypes['email']
  ip: ColumnKindTypes['email']
  enum: {
    create: [
      CreateEnumColumnParams,
      [...Base, elements: string[], required: boolean, xdefault?: string, array?: boolean],
    ]
    update: [
      UpdateEnumColumnParams,
      [...Base, elements: string[], required: boolean, xdefault?: string, newKey?: string],
    ]
    model: FakeColumnEnumModel
  }
}

/**
 * The arguments of a kind's create or update method: object form, or the deprecated positional form. @internal
 *
 * @inline
 */
export type ColumnArgs<K extends ColumnKind, Op extends 'create' | 'update'> =
  [params: ColumnKindTypes[K][Op][0]] | ColumnKindTypes[K][Op][1]
