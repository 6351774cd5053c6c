/**
 * Appwrite services the emulator does not serve, by the first segment of their path under `/v1`,
 * with the name their SDK class has (`appwrite@27`, `node-appwrite@27`; Health for older SDKs). A request to one answers 405 `general_not_implemented` saying
 * so, where a path no Appwrite service has answers 404 `general_route_not_found` as the server
 * does: an app that calls `locale.get()` learns that the emulator lacks Locale, not that its
 * endpoint or SDK version is wrong.
 */
const UNSERVED: Readonly<Record<string, string>> = {
  documentsdb: 'DocumentsDB',
  vectorsdb: 'VectorsDB',
  avatars: 'Avatars',
  locale: 'Locale',
  health: 'Health',
  messaging: 'Messaging',
  graphql: 'Graphql',
  sites: 'Sites',
  tokens: 'Tokens',
  vcs: 'Vcs',
  proxy: 'Proxy',
  migrations: 'Migrations',
  project: 'Project',
  projects: 'Projects',
  console: 'Console',
  backups: 'Backups',
  activities: 'Activities',
  apps: 'Apps',
  reports: 'Advisor',
  oauth2: 'Oauth2',
  organization: 'Organization',
  presences: 'Presences',
  webhooks: 'Webhooks',
}

/** What the emulator serves, for the messages. */
const SERVED = 'Account, Users, Teams, TablesDB, Databases, Storage, Functions and Realtime'

/**
 * The message of the 405 for a request to a service the emulator does not serve; `undefined` for
 * any other path.
 *
 * @example
 * ```ts
 * unservedService('GET', '/v1/locale/countries')
 * // "the emulator does not serve Appwrite's Locale service (GET /v1/locale/countries): …"
 * ```
 *
 * @internal
 */
export function unservedService(method: string, pathname: string): string | undefined {
  const service = /^\/+v1\/+([^/]+)/.exec(pathname)?.[1]?.toLowerCase()
  if (service === undefined || !Object.hasOwn(UNSERVED, service)) return undefined
  const name = UNSERVED[service]!
  return `the emulator does not serve Appwrite's ${name} service (${method} ${pathname}): it serves ${SERVED}; test the calls to ${name} against a real Appwrite, or give your code a stand-in for it in tests`
}
