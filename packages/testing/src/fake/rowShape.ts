import { flat } from './json'

/**
 * Stored row data laid out compactly. V8 (Node 20) gives an object built key by key from `{}`
 * room for four values inside it; a fifth and later ones go to a separate, over-allocated array
 * (about 40 bytes more per row). An object cloned from a template that `JSON.parse` built with
 * exactly the row's keys holds every value inside it, and all rows with the same keys share one
 * hidden class.
 */

/** Objects with at most this many keys already hold every value inline. */
const INLINE_KEYS = 4
/** Most distinct key lists remembered (one template each, a few hundred bytes). */
const MAX_TEMPLATES = 256
/** Key list (joined) → an object with exactly those keys, in that order, values `null`. */
const templates = new Map<string, Readonly<Record<string, unknown>>>()

function templateFor(keys: readonly string[]): Readonly<Record<string, unknown>> {
  const signature = keys.join('\u0000')
  let template = templates.get(signature)
  if (template === undefined) {
    // The oldest goes first (a `Map` iterates in insertion order).
    if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!)
    let json = '{'
    for (let i = 0; i < keys.length; i++)
      json += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:null`
    template = JSON.parse(`${json}}`) as Record<string, unknown>
    templates.set(signature, template)
  }
  return template
}

/**
 * `data` as an object that holds all its values inline: the same own keys in the same order with
 * the same values and prototype (`Object.prototype`), so nothing that reads it can tell; `data`
 * itself when it has few keys, another prototype, or an own `__proto__` key (which a template
 * cannot carry safely).
 * For data the fake keeps (a stored row's), built once per write.
 *
 * @example
 * ```ts
 * const stored = compactData({ a: 1, b: 2, c: 3, d: 4, e: 5 }) // 5 values, one object
 * ```
 *
 * @internal
 */
export function compactData<T extends Record<string, unknown>>(data: T): T {
  const keys = Object.keys(data)
  if (
    keys.length <= INLINE_KEYS ||
    Object.getPrototypeOf(data) !== Object.prototype ||
    Object.hasOwn(data, '__proto__')
  )
    return data
  // A plain spread of the template: a clone of its layout (a spread followed by more keys
  // would give every row a hidden class of its own).
  const out: Record<string, unknown> = { ...templateFor(keys) }
  for (const key of keys) out[key] = data[key]
  return out as T
}

/** Longest string value shared: codes, states, ids and names repeat; longer text seldom does. */
const MAX_SHARED_LENGTH = 64
/** Most strings remembered at once; past it the table starts over (a bound, not a leak). */
const MAX_SHARED = 8192
/** String → the copy rows hold, so rows that store equal values hold one string. */
const sharedStrings = new Map<string, string>()

/**
 * One copy of `text` for every row that stores it: a value sent over the wire (or built by a
 * template literal) is a new string each time, so a thousand rows with `status: 'pending'` would
 * hold a thousand copies of it (about 32 bytes each). Strings cannot be told apart by identity,
 * so nothing changes for a reader. The copy kept is flat (see {@link flat}).
 *
 * @example
 * ```ts
 * const status = sharedString(JSON.parse(body).status)
 * ```
 *
 * @internal
 */
export function sharedString(text: string): string {
  if (text.length > MAX_SHARED_LENGTH) return flat(text)
  const known = sharedStrings.get(text)
  if (known !== undefined) return known
  if (sharedStrings.size >= MAX_SHARED) sharedStrings.clear()
  const kept = flat(text)
  sharedStrings.set(kept, kept)
  return kept
}

/** Most distinct permission lists remembered at once; past it the table starts over. */
const MAX_SHARED_PERMISSIONS = 4096
/** A permission list, joined → the frozen list rows hold. */
const sharedLists = new Map<string, readonly string[]>()
const NO_PERMISSIONS: readonly string[] = Object.freeze([])

/**
 * One frozen copy of a row's permission list for every row with the same list: the rows a user
 * creates, or an app writes for the same participants, carry equal lists (`read("user:…")`, …),
 * each otherwise an array of its own with strings of its own. Nothing stores into `$permissions`
 * (readers copy it), so sharing changes no answer.
 *
 * @example
 * ```ts
 * const permissions = sharedPermissions(['read("user:u1")', 'update("user:u1")'])
 * ```
 *
 * @internal
 */
export function sharedPermissions(permissions: readonly string[]): readonly string[] {
  if (permissions.length === 0) return NO_PERMISSIONS
  const key = permissions.length === 1 ? permissions[0]! : permissions.join('\n')
  const known = sharedLists.get(key)
  if (known !== undefined && sameList(known, permissions)) return known
  if (sharedLists.size >= MAX_SHARED_PERMISSIONS) sharedLists.clear()
  const kept = Object.freeze(permissions.map(sharedString))
  sharedLists.set(key, kept)
  return kept
}

/** Equal lists (a role holding a newline could make two lists join alike). */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
