// The order of two texts under the server's text collation, as `queries.ts` states it with
// `text.toLowerCase().trimEnd()` (case ignored, trailing whitespace ignored), without building the
// two folded copies: the sorted indexes compare a text at every step of every binary search (each
// write to an indexed text column, each indexed list), and the copies were garbage each time.
// `__tests__/collation.test.ts` checks it against the copies on generated texts.

/**
 * The folded text's order, `-1`, `0` or `1`: what `a.toLowerCase().trimEnd()` compared with `<`
 * to `b.toLowerCase().trimEnd()` answers.
 *
 * @internal
 */
export function compareCollated(a: string, b: string): number {
  // ASCII texts (almost all ids, states, codes) are folded character by character; a text with
  // another character where it matters is folded whole, as the rule says.
  const endA = trimmedEnd(a)
  const endB = trimmedEnd(b)
  if (endA < 0 || endB < 0) return compareFolded(a, b)
  const shorter = endA < endB ? endA : endB
  for (let i = 0; i < shorter; i++) {
    let ca = a.charCodeAt(i)
    let cb = b.charCodeAt(i)
    if (ca === cb) {
      if (ca >= 0x80) return compareFolded(a, b)
      continue
    }
    if (ca >= 0x80 || cb >= 0x80) return compareFolded(a, b)
    if (ca >= 0x41 && ca <= 0x5a) ca += 0x20
    if (cb >= 0x41 && cb <= 0x5a) cb += 0x20
    if (ca !== cb) return ca < cb ? -1 : 1
  }
  // One folded text is a prefix of the other. Folding never shortens a text to nothing nor ends
  // it in whitespace it did not end in, so the longer kept part stays the longer folded text.
  return endA === endB ? 0 : endA < endB ? -1 : 1
}

/**
 * How long `text` is without its trailing ASCII whitespace (what `trimEnd` drops of it); `-1`
 * when the last character kept is not ASCII (it may be whitespace `trimEnd` drops, or fold to
 * something else: the whole text is folded then).
 */
function trimmedEnd(text: string): number {
  let end = text.length
  while (end > 0) {
    const c = text.charCodeAt(end - 1)
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) end--
    else return c >= 0x80 ? -1 : end
  }
  return 0
}

function compareFolded(a: string, b: string): number {
  const x = a.toLowerCase().trimEnd()
  const y = b.toLowerCase().trimEnd()
  return x < y ? -1 : x > y ? 1 : 0
}
