// Wrappers around a client (the fake's admin or tablesDB, in tests): one that records each method
// called, one with chosen methods replaced or hidden.

/** Records the name of every method called on `target`; `proxy` forwards each call to it. */
export function recording<T extends object>(target: T): { proxy: T; calls: string[] } {
  const calls: string[] = []
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(property))
        return (value as (...a: unknown[]) => unknown).apply(object, args)
      }
    },
  })
  return { proxy, calls }
}

/** `target` with some methods replaced or hidden (`undefined`); the others bound to the original. */
export function overriding<T extends object>(
  target: T,
  overrides: Partial<Record<keyof T, ((...args: never[]) => unknown) | undefined>>,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) {
        return overrides[property as keyof T]
      }
      const value: unknown = Reflect.get(object, property, receiver)
      return typeof value === 'function' ? value.bind(object) : value
    },
  })
}
