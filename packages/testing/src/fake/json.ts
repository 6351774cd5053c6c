/**
 * Copies a value with JSON semantics (what the SDK's `JSON.stringify` sends and the server parses),
 * without a string in between: `toJSON` is honoured, `undefined`, functions and symbols are
 * dropped from objects (`null` in arrays), non-finite numbers become `null`, and a `bigint`
 * becomes a number (the fake's one leniency: `JSON.stringify` would throw).
 *
 * @example
 * ```ts
 * copyJson({ at: new Date(0), n: NaN, skip: undefined }) // { at: '1970-01-01T00:00:00.000Z', n: null }
 * ```
 *
 * @internal
 */
export function copyJson(value: unknown): unknown {
  if (value === null) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'bigint':
      return Number(value)
    case 'object': {
      if (Array.isArray(value)) return value.map((item) => copyJson(item) ?? null)
      const withJson = value as { toJSON?: () => unknown }
      if (typeof withJson.toJSON === 'function') return copyJson(withJson.toJSON())
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        const raw = (value as Record<string, unknown>)[key]
        // Strings, booleans and null (most values) are kept as they are, without a call.
        const item =
          raw === null || typeof raw === 'string' || typeof raw === 'boolean' ? raw : copyJson(raw)
        if (item !== undefined) out[key] = item
      }
      return out
    }
    default:
      return undefined
  }
}

/**
 * `text`, made flat. V8 keeps a string built by concatenation as a tree of its pieces until one of
 * its characters is read (a timestamp of 13 pieces takes about 300 bytes, its characters 40); the
 * fake keeps every row it stores, so it reads one first. Costs nothing on a string already flat.
 *
 * @example
 * ```ts
 * const stored = flat(`${name} booked ${minutes} min`)
 * ```
 *
 * @internal
 */
export function flat(text: string): string {
  text.charCodeAt(0)
  return text
}
