import { describe, expect, it } from 'vitest'
import { toJson } from '../emulator/http'

describe('toJson (the emulator answer body)', () => {
  it('should write plain values as JSON.stringify does', () => {
    const value = { $id: 'r1', n: 1.5, list: ['a', null], nested: { ok: true } }
    expect(toJson(value)).toBe(JSON.stringify(value))
  })

  it('should write a bigint anywhere in the value as a plain JSON number, beyond 2^53', () => {
    const text = toJson({ min: -9223372036854775808n, columns: [{ max: 9223372036854775807n }] })
    expect(text).toBe('{"min":-9223372036854775808,"columns":[{"max":9223372036854775807}]}')
  })

  it('should still throw what JSON.stringify throws for anything else (a cycle)', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => toJson(cycle)).toThrow(TypeError)
    expect(() => toJson(cycle)).toThrow(/circular/i)
  })
})
