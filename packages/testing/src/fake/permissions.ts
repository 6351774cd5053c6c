import { appwriteError } from './errors'
import type { AppwriteException } from './errors'
import { MAX_ID_LENGTH } from './ids'
import type { RealtimeReadPredicate } from './realtime'
import type { SchemaRegistry } from './schema'

/*
 * Permissions as Appwrite 1.9 checks them. Server sources (github:appwrite/appwrite unless noted):
 * - utopia-php/database `src/Database/Validator/Authorization.php`: a caller holds a set of roles
 *   (`any` always); an action is allowed when one of the resource's roles for it is held; a
 *   disabled check (API key) allows everything.
 * - utopia-php/database `Helpers/Permission.php` (`parse`, `aggregate`: `write` = create + update +
 *   delete, minus the types a route allows), `Validator/Permissions.php` + `Validator/Roles.php`
 *   (the format messages).
 * - `app/controllers/shared/api.php` + `src/Appwrite/Utopia/Database/Documents/User.php`
 *   (`getRoles`): which roles a session holds.
 * - utopia-php/database `Database.php` `getDocument` / `find` / `updateDocument` /
 *   `deleteDocument` / `createDocument`: the table's permissions always count, the row's only
 *   when the table has `documentSecurity` (row security).
 */

/** The four permission types of utopia-php/database, in its order (`Database::PERMISSIONS`). */
export const PERMISSION_TYPES = ['create', 'read', 'update', 'delete'] as const

/** A permission type, or `write` (create + update + delete). */
export type PermissionType = (typeof PERMISSION_TYPES)[number] | 'write'

/** Types a row-level `permissions` parameter accepts (Documents/Create.php, Update.php, Upsert.php). */
export const ROW_PERMISSION_TYPES: readonly PermissionType[] = ['read', 'update', 'delete', 'write']

/** Types `write` expands to on a row: create is table-level only. */
const ROW_AGGREGATE: readonly PermissionType[] = ['read', 'update', 'delete']

/**
 * A user the fake acts as. Roles follow the server's `User::getRoles`: `any`, `users`,
 * `user:ID`, `user:ID/verified` + `users/verified` (or `…/unverified` + `users/unverified`),
 * `team:ID`, `member:MEMBERSHIP_ID`, `team:ID/ROLE` per team, and `label:NAME` per label.
 */
export interface FakeUserIdentity {
  /** The user's id. */
  userId: string
  /**
   * Whether the user verified an email or phone: adds `user:ID/verified` and `users/verified`
   * instead of the `unverified` pair. Defaults to `false`.
   */
  verified?: boolean
  /**
   * Confirmed team memberships by team id: the team roles (`['owner']`), or `{ roles, membershipId }`
   * to also hold `member:MEMBERSHIP_ID`. Each adds `team:ID` and `team:ID/ROLE` per role.
   * Defaults to `{}`.
   */
  teams?: Record<string, readonly string[] | FakeTeamMembership>
  /** User labels; each adds `label:NAME`. Defaults to `[]`. */
  labels?: readonly string[]
}

/** A team membership for {@link FakeUserIdentity.teams}. */
export interface FakeTeamMembership {
  /** Team roles, e.g. `['owner']`. Defaults to `[]`. */
  roles?: readonly string[]
  /** The membership id, held as `member:ID`. Defaults to none. */
  membershipId?: string
}

/**
 * Exact roles to act with, e.g. `{ roles: ['users', 'user:alice', 'team:t1'] }`. `any` is added
 * when missing, as the server always holds it. The first `user:ID` role (without a dimension)
 * is the user that default row permissions are given to.
 */
export interface FakeRolesIdentity {
  roles: readonly string[]
}

/**
 * Who `fake.as(identity)` acts as:
 * - `'user:alice'`: an unverified signed-in user (roles `any`, `users`, `user:alice`,
 *   `user:alice/unverified`, `users/unverified`);
 * - `'guest'` (or `'guests'`): no session (roles `any`, `guests`);
 * - a {@link FakeUserIdentity} for verified users, teams and labels;
 * - a {@link FakeRolesIdentity} for an exact role list.
 */
export type FakeIdentity = string | FakeUserIdentity | FakeRolesIdentity

/**
 * A caller that is not an API key: its roles in the server's order and the user id (if any).
 *
 * @internal
 */
export class Actor {
  readonly roles: readonly string[]
  readonly userId: string | undefined
  readonly #set: ReadonlySet<string>

  constructor(roles: readonly string[], userId: string | undefined) {
    // Authorization starts with `any` and ignores duplicates (a role map).
    const unique = [...new Set(['any', ...roles])]
    this.roles = unique
    this.userId = userId
    this.#set = new Set(unique)
  }

  has(role: string): boolean {
    return this.#set.has(role)
  }

  /** Whether one of `roles` is held (`Authorization::isValid` with checks on). */
  any(roles: readonly string[]): boolean {
    for (const role of roles) if (this.#set.has(role)) return true
    return false
  }
}

function identityError(message: string): Error {
  return new Error(`fake.as: ${message}`)
}

/**
 * Turns an identity into the roles the server would hold for it.
 *
 * @internal
 */
export function resolveIdentity(identity: FakeIdentity): Actor {
  if (typeof identity === 'string') {
    if (identity === 'guest' || identity === 'guests') return new Actor(['guests'], undefined)
    const match = /^user:([^/:]+)$/.exec(identity)
    if (match) return userActor({ userId: match[1] as string })
    throw identityError(
      `unknown identity \`${identity}\`: use 'user:ID', 'guest', { userId, verified?, teams?, labels? } or { roles: [...] }.`,
    )
  }
  if (identity && 'roles' in identity && Array.isArray(identity.roles)) {
    const roles = identity.roles
    for (const role of roles) {
      if (typeof role !== 'string' || role === '')
        throw identityError('roles must be non-empty strings.')
    }
    const user = roles.find((role) => /^user:[^/]+$/.test(role))
    return new Actor(roles, user?.slice('user:'.length))
  }
  if (identity && 'userId' in identity && typeof identity.userId === 'string') {
    return userActor(identity)
  }
  throw identityError('expected a string, { userId } or { roles }.')
}

function userActor(identity: FakeUserIdentity): Actor {
  const id = identity.userId
  if (id === '' || id.includes('/') || id.includes(':'))
    throw identityError(`invalid user id \`${id}\`.`)
  // Order of app/controllers/shared/api.php: the session's role, then User::getRoles.
  const dimension = identity.verified === true ? 'verified' : 'unverified'
  const roles = ['users', `user:${id}`, `user:${id}/${dimension}`, `users/${dimension}`]
  for (const [teamId, membership] of Object.entries(identity.teams ?? {})) {
    const teamRoles = Array.isArray(membership)
      ? (membership as readonly string[])
      : ((membership as FakeTeamMembership).roles ?? [])
    const membershipId = Array.isArray(membership)
      ? undefined
      : (membership as FakeTeamMembership).membershipId
    roles.push(`team:${teamId}`)
    if (membershipId !== undefined) roles.push(`member:${membershipId}`)
    for (const role of teamRoles) roles.push(`team:${teamId}/${role}`)
  }
  for (const label of identity.labels ?? []) roles.push(`label:${label}`)
  return new Actor(roles, id)
}

/* ------------------------------------------------------------------------------------------------
 * Permission strings
 * --------------------------------------------------------------------------------------------- */

/** One parsed permission string. @internal */
export interface ParsedPermission {
  readonly type: PermissionType
  /** The role as the server writes it back: `user:ID/verified`, `team:ID/owner`, `any`. */
  readonly role: string
}

// utopia-php/database Validator/Roles.php CONFIG: identifier / dimension allowed and required.
const ROLE_CONFIG: Record<string, { id: 'no' | 'required'; dimension: 'no' | 'any' | 'user' }> = {
  any: { id: 'no', dimension: 'no' },
  guests: { id: 'no', dimension: 'no' },
  users: { id: 'no', dimension: 'user' },
  user: { id: 'required', dimension: 'user' },
  team: { id: 'required', dimension: 'any' },
  member: { id: 'required', dimension: 'no' },
  label: { id: 'required', dimension: 'no' },
}
const ROLE_NAMES = Object.keys(ROLE_CONFIG).join(', ')
const KEY_DESCRIPTION = `Parameter must contain at most ${MAX_ID_LENGTH} chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char`
const DIMENSION_KEY_DESCRIPTION =
  "Parameter must contain at most 81 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char"
const LABEL_DESCRIPTION = `Value must be a valid string between 1 and ${MAX_ID_LENGTH} chars containing only alphanumeric chars`

// utopia-php/database Validator/Key.php: no leading `_`, `.` or `-`, only [A-Za-z0-9_.-].
function isKey(value: string, maxLength: number): boolean {
  return value.length <= maxLength && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)
}

class PermissionFormatError extends Error {}

/**
 * Parses `read("user:alice/verified")` like `Permission::parse` and checks the role like
 * `Roles::isValidRole`. Throws a {@link PermissionFormatError} with the validator's message.
 */
function parseChecked(permission: string): ParsedPermission {
  const entry = cachedParse(permission)
  if (entry.error !== undefined) throw new PermissionFormatError(entry.error)
  return entry.parsed
}

/** A memoized {@link parseUncached} outcome, with the normalized string `aggregate` writes back. */
type ParseEntry =
  | { readonly parsed: ParsedPermission; readonly normalized: string; readonly error?: undefined }
  | { readonly parsed?: undefined; readonly normalized?: undefined; readonly error: string }

/**
 * Parsed permission strings, memoized: the same few strings are checked on every write. Bounded
 * (emptied when full) so a long run with many distinct roles cannot grow it without limit.
 */
const PARSE_CACHE = new Map<string, ParseEntry>()
const PARSE_CACHE_LIMIT = 4096

function cachedParse(permission: string): ParseEntry {
  let entry = PARSE_CACHE.get(permission)
  if (entry !== undefined) return entry
  try {
    const parsed = Object.freeze(parseUncached(permission))
    entry = { parsed, normalized: `${parsed.type}("${parsed.role}")` }
  } catch (error) {
    if (!(error instanceof PermissionFormatError)) throw error
    entry = { error: error.message }
  }
  if (PARSE_CACHE.size >= PARSE_CACHE_LIMIT) PARSE_CACHE.clear()
  PARSE_CACHE.set(permission, entry)
  return entry
}

function parseUncached(permission: string): ParsedPermission {
  const parts = permission.split('("')
  if (parts.length !== 2)
    throw new PermissionFormatError(`Invalid permission string format: "${permission}".`)
  const type = parts[0] as string
  if (!(PERMISSION_TYPES as readonly string[]).includes(type) && type !== 'write')
    throw new PermissionFormatError(`Invalid permission type: "${type}".`)
  const fullRole = (parts[1] as string).split('")').join('')
  const roleParts = fullRole.split(':')
  let role = roleParts[0] as string
  let identifier = ''
  let dimension = ''
  const hasIdentifier = roleParts.length > 1
  if (fullRole.includes('/')) {
    const dimensionParts = (hasIdentifier ? (roleParts[1] as string) : fullRole).split('/')
    if (dimensionParts.length !== 2)
      throw new PermissionFormatError('Only one dimension can be provided')
    if (hasIdentifier) identifier = dimensionParts[0] as string
    else role = dimensionParts[0] as string
    dimension = dimensionParts[1] as string
    if (dimension === '') throw new PermissionFormatError('Dimension must not be empty')
  } else if (hasIdentifier) {
    identifier = roleParts[1] as string
  }
  const config = ROLE_CONFIG[role]
  if (!config)
    throw new PermissionFormatError(`Role "${role}" is not allowed. Must be one of: ${ROLE_NAMES}.`)
  if (config.id === 'no' && identifier !== '')
    throw new PermissionFormatError(`Role "${role}" can not have an ID value.`)
  if (config.id === 'required' && identifier === '')
    throw new PermissionFormatError(`Role "${role}" must have an ID value.`)
  if (identifier !== '') {
    const valid =
      role === 'label'
        ? isKey(identifier, MAX_ID_LENGTH) && /^[A-Za-z0-9]+$/.test(identifier)
        : isKey(identifier, MAX_ID_LENGTH)
    if (!valid)
      throw new PermissionFormatError(
        `Role "${role}" identifier value is invalid: ${role === 'label' ? LABEL_DESCRIPTION : KEY_DESCRIPTION}`,
      )
  }
  if (dimension !== '') {
    if (config.dimension === 'no')
      throw new PermissionFormatError(`Role "${role}" can not have a dimension value.`)
    if (config.dimension === 'user' && dimension !== 'verified' && dimension !== 'unverified')
      throw new PermissionFormatError(
        `Role "${role}" dimension value is invalid. Must be one of: verified, unverified.`,
      )
    if (!isKey(dimension, 81))
      throw new PermissionFormatError(
        `Role "${role}" dimension value is invalid: ${DIMENSION_KEY_DESCRIPTION}`,
      )
  }
  const roleString = `${role}${identifier ? `:${identifier}` : ''}${dimension ? `/${dimension}` : ''}`
  return { type: type as PermissionType, role: roleString }
}

/**
 * The message of utopia-php/database `Validator/Permissions.php` for `value`, or `undefined` when
 * it is a valid list. `allowed` are the types the route accepts; `length` the most entries.
 *
 * @internal
 */
export function permissionsFailure(
  value: unknown,
  allowed: readonly PermissionType[] = ALL_PERMISSION_TYPES,
  length = 0,
): string | undefined {
  if (!Array.isArray(value)) return 'Permissions must be an array of strings.'
  if (length > 0 && value.length > length)
    return `You can only provide up to ${length} permissions.`
  const checked = failuresFor(allowed)
  for (const permission of value) {
    if (typeof permission !== 'string') return 'Every permission must be of type string.'
    let failure = checked.get(permission)
    if (failure === undefined) {
      failure = permissionFailure(permission, allowed) ?? null
      if (checked.size >= PARSE_CACHE_LIMIT) checked.clear()
      checked.set(permission, failure)
    }
    if (failure !== null) return failure
  }
  return undefined
}

const ALL_PERMISSION_TYPES: readonly PermissionType[] = [...PERMISSION_TYPES, 'write']

/** Per allowed-types list: each permission string's failure message, or `null` when valid. */
const FAILURE_CACHE = new WeakMap<readonly PermissionType[], Map<string, string | null>>()
/** The row routes' map, looked up without the `WeakMap`: every row write checks its list. */
const ROW_FAILURES = new Map<string, string | null>()
FAILURE_CACHE.set(ROW_PERMISSION_TYPES, ROW_FAILURES)

function failuresFor(allowed: readonly PermissionType[]): Map<string, string | null> {
  if (allowed === ROW_PERMISSION_TYPES) return ROW_FAILURES
  let checked = FAILURE_CACHE.get(allowed)
  if (checked === undefined) {
    checked = new Map()
    FAILURE_CACHE.set(allowed, checked)
  }
  return checked
}

/** The validator's message for one permission string, or `undefined` when it is valid. */
function permissionFailure(
  permission: string,
  allowed: readonly PermissionType[],
): string | undefined {
  if (permission === '*') return 'Wildcard permission "*" has been replaced. Use "any" instead.'
  if (permission.includes('role:'))
    return 'Permissions using the "role:" prefix have been replaced. Use "users", "guests", or "any" instead.'
  if (!allowed.some((type) => permission.startsWith(type)))
    return `Permission "${permission}" is not allowed. Must be one of: ${allowed.join(', ')}.`
  return cachedParse(permission).error
}

/**
 * Checks a `permissions` parameter the way its `Permissions` validator does and throws
 * `general_argument_invalid` (`Invalid \`permissions\` param: …`).
 *
 * @internal
 */
export function assertPermissionsParam(
  value: unknown,
  allowed: readonly PermissionType[] = ROW_PERMISSION_TYPES,
): asserts value is readonly string[] | null | undefined {
  if (value === undefined || value === null) return
  // APP_LIMIT_ARRAY_PARAMS_SIZE (100) is the validator's length.
  const failure = permissionsFailure(value, allowed, 100)
  if (failure !== undefined)
    throw appwriteError('general_argument_invalid', `Invalid \`permissions\` param: ${failure}`)
}

/**
 * `Permission::aggregate`: each `write(role)` becomes one permission per allowed sub-type
 * (`update` + `delete` on rows, plus `create` on tables); the result is normalized
 * (`Permission::toString`) and deduplicated, first occurrence first. Expects valid strings.
 *
 * @internal
 */
export function aggregatePermissions(
  permissions: readonly string[],
  allowed: readonly PermissionType[] = ROW_AGGREGATE,
): string[] {
  const out = new Set<string>()
  for (const permission of permissions) {
    const entry = typeof permission === 'string' ? cachedParse(permission) : undefined
    if (entry?.error === undefined && entry !== undefined && entry.parsed.type !== 'write') {
      out.add(entry.normalized)
      continue
    }
    const parsed = entry?.parsed ?? parse(permission)
    if (parsed.type !== 'write') {
      out.add(`${parsed.type}("${parsed.role}")`)
      continue
    }
    for (const type of ['create', 'update', 'delete'] as const) {
      if (allowed.includes(type)) out.add(`${type}("${parsed.role}")`)
    }
  }
  return [...out]
}

/** One list prefix in {@link aggregateRowPermissions}' cache. */
interface AggregateNode {
  /** The lists that continue this prefix, by their next string. */
  next: Map<string, AggregateNode> | undefined
  /** The aggregate of the list that ends here, once asked for. */
  output: readonly string[] | undefined
  /** The list that ends here passed the row routes' `permissions` check. */
  checked: boolean
}

/**
 * Recent row permission lists, aggregated, as a trie over their strings: a lookup costs one `Map`
 * lookup per string, where aggregating again costs those plus a `Set` and an array. A booking
 * writes the same few lists again and again. Bounded (emptied when full) like the parse cache.
 */
const AGGREGATES = new Map<string, AggregateNode>()
const AGGREGATE_NODE_LIMIT = 4096
let aggregateNodes = 0
const NO_PERMISSIONS: readonly string[] = Object.freeze([])

/** The trie node of a non-empty list of strings; `undefined` if an entry is not a string. */
function aggregateNode(permissions: readonly unknown[]): AggregateNode | undefined {
  const length = permissions.length
  if (aggregateNodes + length > AGGREGATE_NODE_LIMIT) {
    AGGREGATES.clear()
    aggregateNodes = 0
  }
  let level = AGGREGATES
  let node: AggregateNode | undefined
  for (let i = 0; i < length; i++) {
    const permission = permissions[i]
    if (typeof permission !== 'string') return undefined
    if (node !== undefined) level = node.next ??= new Map()
    node = level.get(permission)
    if (node === undefined) {
      node = { next: undefined, output: undefined, checked: false }
      level.set(permission, node)
      aggregateNodes++
    }
  }
  return node
}

/**
 * {@link aggregatePermissions} for a row's permissions, remembered for the lists seen recently.
 * The answer is frozen, as every row written with the same list shares it: stored rows never
 * change their permissions in place, and models copy them on the way out.
 *
 * @internal
 */
export function aggregateRowPermissions(permissions: readonly string[]): readonly string[] {
  if (permissions.length === 0) return NO_PERMISSIONS
  const node = aggregateNode(permissions)
  // Not a list of strings (the parameter check refuses those): nothing to remember.
  if (node === undefined) return Object.freeze(aggregatePermissions(permissions))
  return outputAt(node, permissions)
}

/** The aggregate remembered at `node`, the trie node of `permissions`. */
function outputAt(node: AggregateNode, permissions: readonly string[]): readonly string[] {
  return (node.output ??= Object.freeze(aggregatePermissions(permissions)))
}

/**
 * A row route's `permissions` param: {@link assertPermissionsParam}'s check (same errors), then
 * {@link aggregateRowPermissions}' answer, or `undefined` when none was sent. A list seen before
 * costs one walk of the trie for both: a booking's commit sends the same list with every row.
 *
 * @internal
 */
export function rowPermissionsParam(value: unknown): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined
  // Only a list the check could pass has a node worth marking (a longer one always fails it).
  const node =
    Array.isArray(value) && value.length > 0 && value.length <= 100
      ? aggregateNode(value)
      : undefined
  if (node?.checked) return node.output!
  assertPermissionsParam(value)
  if (node === undefined) return aggregateRowPermissions(value)
  const output = outputAt(node, value)
  node.checked = true
  return output
}

/** Parses a permission string already stored (validated on the way in). @internal */
export function parse(permission: string): ParsedPermission {
  try {
    return parseChecked(permission)
  } catch {
    // A string that never went through a validator (a declared table's list): keep what we can.
    const match = /^(\w+)\("(.*)"\)$/.exec(permission)
    return { type: (match?.[1] ?? '') as PermissionType, role: match?.[2] ?? '' }
  }
}

/** `Document::getPermissionsByType`: the roles granted `type` (no `write` expansion). @internal */
export function rolesFor(permissions: readonly string[], type: PermissionType): string[] {
  const out: string[] = []
  const prefix = `${type}("`
  for (const permission of permissions) {
    if (permission.startsWith(prefix) && permission.endsWith('")'))
      out.push(permission.slice(prefix.length, -2))
  }
  return out
}

/**
 * The server's "users may only grant roles they hold" rule (Documents/Create.php, Update.php,
 * Upsert.php, Transactions/Operations/Create.php): throws `user_unauthorized` with
 * `Permissions must be one of: (…)` listing the caller's roles.
 *
 * @internal
 */
export function assertGrantable(actor: Actor, permissions: readonly string[]): void {
  for (const type of PERMISSION_TYPES) {
    for (const permission of permissions) {
      const parsed = parse(permission)
      if (parsed.type !== type) continue
      if (!actor.has(parsed.role)) {
        throw appwriteError(
          'user_unauthorized',
          `Permissions must be one of: (${actor.roles.join(', ')})`,
        )
      }
    }
  }
}

/**
 * Permissions a signed-in user's new row gets when the call sends none: read, update and delete
 * for `user:ID` (Documents/Create.php, Upsert.php). Guests and API keys get none.
 *
 * @internal
 */
export function defaultPermissions(actor: Actor | undefined): string[] {
  if (actor?.userId === undefined) return []
  const role = `user:${actor.userId}`
  return [`read("${role}")`, `update("${role}")`, `delete("${role}")`]
}

// PHP's json_encode escapes `/` by default.
const phpJson = (value: readonly string[]) => JSON.stringify(value).replace(/\//g, '\\/')

/**
 * `Authorization::getDescription()` after a failed check, as Documents/Create.php sends it for a
 * denied create.
 *
 * @internal
 */
export function authorizationDescription(
  actor: Actor,
  action: PermissionType,
  roles: readonly string[],
): string {
  if (roles.length === 0) return `No permissions provided for action '${action}'`
  const last = roles[roles.length - 1] as string
  return `Missing "${action}" permission for role "${last}". Only "${phpJson(actor.roles)}" scopes are allowed and "${phpJson(roles)}" was given.`
}

/* ------------------------------------------------------------------------------------------------
 * Table and row security
 * --------------------------------------------------------------------------------------------- */

/** A table's permissions and whether row permissions count. @internal */
export interface TableAccess {
  readonly permissions: readonly string[]
  readonly rowSecurity: boolean
}

/**
 * Undeclared (schemaless) tables: row security on, no table-level read, create for any signed-in
 * user, so apps written against a real server with `create("users")` tables behave the same.
 */
const SCHEMALESS_ACCESS: TableAccess = { permissions: ['create("users")'], rowSecurity: true }

/**
 * The table's security from the schema registry (`registry.tableSecurity`), or the schemaless
 * defaults when the table declares none.
 *
 * @internal
 */
export function tableAccess(
  schema: SchemaRegistry,
  databaseId: string,
  tableId: string,
): TableAccess {
  const security = schema.tableSecurity(databaseId, tableId)
  return security.declared ? security : SCHEMALESS_ACCESS
}

/**
 * Whether `actor` may `type` a row: the table's roles for it, plus the row's when row security
 * is on (utopia-php/database `Database::getDocument`, `updateDocument`, `deleteDocument`).
 *
 * @internal
 */
export function mayAccessRow(
  actor: Actor,
  access: TableAccess,
  type: 'read' | 'update' | 'delete',
  rowPermissions: readonly string[],
): boolean {
  if (actor.any(rolesFor(access.permissions, type))) return true
  return access.rowSecurity && actor.any(rolesFor(rowPermissions, type))
}

/**
 * `user_unauthorized` with the catalogue message: what the server answers when utopia-php/database
 * throws its `Authorization` exception (`app/controllers/general.php`).
 *
 * @internal
 */
export function unauthorized(message?: string): AppwriteException {
  return appwriteError('user_unauthorized', message)
}

/**
 * The realtime read rule: a connection receives a row event only when one of its roles may read
 * the row: the table's read roles, plus the row's when row security is on
 * (`src/Appwrite/Messaging/Adapter/Realtime.php` `fromPayload`, databases case). A role list
 * containing `any` reaches everyone.
 *
 * @internal
 */
export function createRealtimeReadPredicate(schema: SchemaRegistry): RealtimeReadPredicate {
  return (row, roles, event) => {
    const access = tableAccess(schema, event.databaseId, event.tableId)
    const granted = rolesFor(access.permissions, 'read')
    if (access.rowSecurity) {
      const rowPermissions = row['$permissions']
      if (Array.isArray(rowPermissions))
        granted.push(...rolesFor(rowPermissions as string[], 'read'))
    }
    if (granted.includes('any')) return true
    return granted.some((role) => roles.includes(role))
  }
}
