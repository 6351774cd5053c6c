// Wrappers around an admin client (the fake's, in tests): one that records each method called,
// one with chosen methods replaced or hidden.
import type { TablesDBAdminLike } from '../admin'

/** Records the name of every method called on the admin. */
export function recording(admin: TablesDBAdminLike): { admin: TablesDBAdminLike; calls: string[] } {
  const calls: string[] = []
  const proxy = new Proxy(admin, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(property))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { admin: proxy, calls }
}

/** The admin with some methods replaced or hidden (`undefined`); the others bound to the original. */
export function overriding(
  admin: TablesDBAdminLike,
  overrides: Partial<Record<keyof TablesDBAdminLike, ((...args: never[]) => unknown) | undefined>>,
): TablesDBAdminLike {
  return new Proxy(admin, {
    get(target, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) {
        return overrides[property as keyof TablesDBAdminLike]
      }
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
