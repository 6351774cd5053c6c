// The event names of a change to a user (github:appwrite/appwrite 1.9.6 `Event::generateEvents`),
// for the realtime `account` channel and the Functions' event triggers.

/** The actions of user events (`users.ID.<action>[.<attribute>]`). */
const USER_ACTIONS = new Set(['create', 'update', 'delete'])

/**
 * `Event::generateEvents` for a user event: its patterns (with the action and attribute, without
 * them, the user alone), each with every id and `*` in its place, most specific first. `suffix`
 * is what follows `users.<userId>.` (`create`, `update.prefs`, `sessions.<sessionId>.create`).
 *
 * @internal
 */
export function userEventNames(userId: string, suffix: string): string[] {
  const [first = '', second, third, fourth] = suffix.split('.')
  // `create` / `update.name` act on the user; `sessions.SID.create` on a resource under it.
  const nested = !USER_ACTIONS.has(first) && second !== undefined && third !== undefined
  const withAttribute = (parts: string[], attribute: string | undefined) =>
    attribute === undefined ? [] : [[...parts, attribute]]
  const patterns = nested
    ? [
        ...withAttribute(['U', first, 'S', third], fourth),
        ['U', first, 'S', third],
        ['U', first, 'S'],
        ...withAttribute(['U', third], fourth),
        ['U'],
      ]
    : [...withAttribute(['U', first], second), ['U', first], ['U']]
  const events = new Set<string>()
  for (const pattern of patterns)
    for (const id of [userId, '*'])
      for (const sid of nested ? [second, '*'] : [''])
        events.add(
          `users.${pattern.map((part) => (part === 'U' ? id : part === 'S' ? sid : part)).join('.')}`,
        )
  return [...events]
}
