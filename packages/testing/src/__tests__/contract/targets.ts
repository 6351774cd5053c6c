import { Client, Realtime, TablesDB } from 'appwrite'
import * as server from 'node-appwrite'
import { WebSocket as UndiciWebSocket } from 'undici'
import { createFakeAppwrite } from '../../index'
import type { FakeAppwrite } from '../../index'
import { startAppwriteEmulator } from '../../emulator'
import type { AppwriteEmulator } from '../../emulator'

/** A row as every target answers it: system fields plus data. */
export interface ContractRow extends Record<string, unknown> {
  $id: string
  $sequence: string | number
  $tableId: string
  $databaseId: string
  $createdAt: string
  $updatedAt: string
  $permissions: string[]
}

interface RowParams {
  databaseId: string
  tableId: string
  rowId: string
  transactionId?: string
}

/**
 * The TablesDB calls the suite makes. The fake's `FakeTablesDB`, the web SDK's and node-appwrite's
 * `TablesDB` all satisfy it (each target casts once, in this file only).
 */
export interface ContractTablesDB {
  createRow(
    params: RowParams & { data: Record<string, unknown>; permissions?: string[] },
  ): Promise<ContractRow>
  getRow(params: RowParams & { queries?: string[] }): Promise<ContractRow>
  listRows(params: {
    databaseId: string
    tableId: string
    queries?: string[]
    transactionId?: string
  }): Promise<{ total: number; rows: ContractRow[] }>
  updateRow(
    params: RowParams & { data?: Record<string, unknown>; permissions?: string[] },
  ): Promise<ContractRow>
  upsertRow(
    params: RowParams & { data?: Record<string, unknown>; permissions?: string[] },
  ): Promise<ContractRow>
  deleteRow(params: RowParams): Promise<unknown>
  incrementRowColumn(
    params: RowParams & { column: string; value?: number; max?: number },
  ): Promise<ContractRow>
  decrementRowColumn(
    params: RowParams & { column: string; value?: number; min?: number },
  ): Promise<ContractRow>
  createTransaction(params?: { ttl?: number }): Promise<{ $id: string; status: string }>
  createOperations(params: {
    transactionId: string
    operations?: object[]
  }): Promise<{ $id: string; operations: number }>
  updateTransaction(params: {
    transactionId: string
    commit?: boolean
    rollback?: boolean
  }): Promise<{ $id: string; status: string }>
}

/** A realtime event, as the SDK's `RealtimeResponseEvent` delivers it. */
export interface ContractEvent {
  events: string[]
  channels: string[]
  payload: Record<string, unknown>
}

/** One realtime connection of one caller. */
export interface ContractRealtime {
  /** Subscribes and resolves once the server delivers events to the subscription. */
  subscribe(channel: string, callback: (event: ContractEvent) => void): Promise<void>
  close(): Promise<void>
}

/** Schema-management calls setup uses (node-appwrite's `TablesDB`, or the fake's `admin`). */
interface SchemaAdmin {
  create(params: { databaseId: string; name: string }): Promise<unknown>
  delete(params: { databaseId: string }): Promise<unknown>
  createTable(params: {
    databaseId: string
    tableId: string
    name: string
    permissions?: string[]
    rowSecurity?: boolean
  }): Promise<unknown>
  createStringColumn(params: ColumnParams & { size: number; array?: boolean }): Promise<unknown>
  createIntegerColumn(params: ColumnParams): Promise<unknown>
  createFloatColumn(params: ColumnParams): Promise<unknown>
  createBooleanColumn(params: ColumnParams): Promise<unknown>
  createDatetimeColumn(params: ColumnParams): Promise<unknown>
  createIndex(params: {
    databaseId: string
    tableId: string
    key: string
    type: never
    columns: string[]
  }): Promise<unknown>
  listColumns(params: {
    databaseId: string
    tableId: string
  }): Promise<{ columns: readonly { key: string; status: string }[] }>
  listIndexes(params: {
    databaseId: string
    tableId: string
  }): Promise<{ indexes: readonly { key: string; status: string }[] }>
}

interface ColumnParams {
  databaseId: string
  tableId: string
  key: string
  required: boolean
}

/** An account as every target answers it. */
export interface ContractAccountModel {
  $id: string
  email: string
  name: string
  prefs: Record<string, unknown>
}

/** The account calls of a client signed in with a session. */
export interface ContractSignedIn {
  get(): Promise<ContractAccountModel>
  updatePrefs(params: { prefs: Record<string, unknown> }): Promise<ContractAccountModel>
  listSessions(): Promise<{ total: number; sessions: Array<{ $id: string; current: boolean }> }>
  createJWT(): Promise<{ jwt: string }>
  deleteSession(params: { sessionId: string }): Promise<unknown>
}

/** Sign-up and sign-in, as a guest client does them. */
export interface ContractAccount {
  create(params: {
    userId: string
    email: string
    password: string
    name?: string
  }): Promise<ContractAccountModel>
  /** Signs in with email and password; answers the account calls of that session. */
  signIn(email: string, password: string): Promise<ContractSignedIn>
}

export interface ContractTarget {
  readonly name: string
  /** Sign-up and sign-in. */
  readonly account: ContractAccount
  /** Server calls (API key): bypass permissions. */
  readonly tablesDB: ContractTablesDB
  /** Calls signed in as `userId` (a JWT; the user is created on first use). */
  userTablesDB(userId: string): Promise<ContractTablesDB>
  /** A realtime connection of `userId`, or of a guest without one. */
  realtime(userId?: string): Promise<ContractRealtime>
  /** Creates a database with the suite's table (see {@link provisionContractSchema}). */
  setup(): Promise<{ databaseId: string; tableId: string }>
  /** Removes what setup made and closes connections. */
  cleanup(): Promise<void>
  /** Extra slack for realtime delivery, in milliseconds (a real server is slower). */
  readonly eventTimeoutMs: number
}

export const CONTRACT_TABLE = 'items'

/**
 * The suite's table: signed-in users may create rows, each row is visible by its own permissions
 * only. A fulltext index on `title` backs `search`.
 */
export async function provisionContractSchema(
  admin: SchemaAdmin,
  databaseId: string,
): Promise<{ databaseId: string; tableId: string }> {
  const tableId = CONTRACT_TABLE
  const at = { databaseId, tableId }
  await admin.create({ databaseId, name: 'Contract' })
  await admin.createTable({
    ...at,
    name: 'Items',
    permissions: ['create("users")'],
    rowSecurity: true,
  })
  await admin.createStringColumn({ ...at, key: 'run', size: 64, required: true })
  await admin.createStringColumn({ ...at, key: 'title', size: 128, required: false })
  await admin.createIntegerColumn({ ...at, key: 'count', required: false })
  await admin.createFloatColumn({ ...at, key: 'price', required: false })
  await admin.createBooleanColumn({ ...at, key: 'done', required: false })
  await admin.createStringColumn({ ...at, key: 'tags', size: 32, required: false, array: true })
  await admin.createDatetimeColumn({ ...at, key: 'at', required: false })
  await until(async () => {
    const { columns } = await admin.listColumns(at)
    return columns.length === 7 && columns.every((column) => column.status === 'available')
  })
  await admin.createIndex({
    ...at,
    key: 'title_search',
    type: 'fulltext' as never,
    columns: ['title'],
  })
  await until(async () => {
    const { indexes } = await admin.listIndexes(at)
    return indexes.every((index) => index.status === 'available')
  })
  return at
}

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`schema not available within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Target 1: the in-process fake, called directly. */
export function fakeTarget(): ContractTarget & { fake: FakeAppwrite } {
  const fake = createFakeAppwrite({ seed: 9, strict: true })
  return {
    name: 'fake',
    fake,
    eventTimeoutMs: 2_000,
    account: {
      create: (params) => fake.account.create(params),
      async signIn(email, password) {
        // `fake.account` is one browser client: end the session a previous test left.
        await fake.account.deleteSession({ sessionId: 'current' }).catch((error: unknown) => {
          if ((error as { code?: number }).code !== 401) throw error
        })
        await fake.account.createEmailPasswordSession({ email, password })
        return fake.account
      },
    },
    tablesDB: fake.tablesDB as unknown as ContractTablesDB,
    userTablesDB: async (userId) => fake.as({ userId }).tablesDB as unknown as ContractTablesDB,
    async realtime(userId) {
      const realtime = (userId === undefined ? fake.as('guest') : fake.as({ userId })).realtime
      const subscriptions: { close(): Promise<void> }[] = []
      return {
        async subscribe(channel, callback) {
          subscriptions.push(
            await realtime.subscribe(channel, (event) => callback(event as ContractEvent)),
          )
        },
        async close() {
          for (const subscription of subscriptions.splice(0)) await subscription.close()
        },
      }
    },
    setup: () => provisionContractSchema(fake.admin as unknown as SchemaAdmin, 'contract'),
    async cleanup() {
      fake.reset()
    },
  }
}

// The web SDK's realtime needs a browser-like global scope: a WebSocket, `window` and `localStorage`.
function installBrowserGlobals(): () => void {
  const globals = globalThis as Record<string, unknown>
  const names = ['WebSocket', 'window', 'localStorage'] as const
  const saved = names.map((name) => Object.getOwnPropertyDescriptor(globalThis, name))
  globals.WebSocket = UndiciWebSocket
  globals.window = globalThis
  globals.localStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} }
  return () =>
    names.forEach((name, i) => {
      const descriptor = saved[i]
      if (descriptor) Object.defineProperty(globalThis, name, descriptor)
      else delete globals[name]
    })
}

/** A web SDK `Realtime` wrapped for the suite; `ready` waits until the server holds the subscription. */
function webRealtime(client: Client, ready: () => Promise<void>): ContractRealtime {
  const realtime = new Realtime(client)
  return {
    async subscribe(channel, callback) {
      await realtime.subscribe(channel, (event) => callback(event as unknown as ContractEvent))
      await ready()
    },
    close: () => realtime.disconnect(),
  }
}

/**
 * Sign-up from a guest node-appwrite client, sign-in the server-side-rendering way: the API key
 * creates the session and reads its `secret`, which a new client carries as its session.
 */
function serverAccount(
  endpoint: string,
  project: string,
  apiKey: string,
  created?: Set<string>,
): ContractAccount {
  const client = () => new server.Client().setEndpoint(endpoint).setProject(project)
  return {
    async create(params) {
      const user = await new server.Account(client()).create(params)
      created?.add(user.$id)
      return user as unknown as ContractAccountModel
    },
    async signIn(email, password) {
      const admin = new server.Account(client().setKey(apiKey))
      const session = await admin.createEmailPasswordSession({ email, password })
      return new server.Account(client().setSession(session.secret)) as unknown as ContractSignedIn
    },
  }
}

/** Target 2: the real `appwrite` web SDK (users) and `node-appwrite` (API key) over the emulator. */
export async function emulatorTarget(): Promise<ContractTarget & { emulator: AppwriteEmulator }> {
  const restoreGlobals = installBrowserGlobals()
  const emulator = await startAppwriteEmulator({
    fake: createFakeAppwrite({ seed: 9, strict: true }),
  })
  const serverTablesDB = new server.TablesDB(
    new server.Client()
      .setEndpoint(emulator.endpoint)
      .setProject(emulator.projectId)
      .setKey(emulator.apiKey),
  )
  const webClient = () => new Client().setEndpoint(emulator.endpoint).setProject(emulator.projectId)
  const opened: ContractRealtime[] = []
  return {
    name: 'emulator (appwrite web SDK + node-appwrite)',
    emulator,
    eventTimeoutMs: 3_000,
    account: serverAccount(emulator.endpoint, emulator.projectId, emulator.apiKey),
    tablesDB: serverTablesDB as unknown as ContractTablesDB,
    userTablesDB: async (userId) =>
      new TablesDB(webClient().setJWT(emulator.createJWT(userId))) as unknown as ContractTablesDB,
    async realtime(userId) {
      const client = webClient()
      if (userId !== undefined) client.setJWT(emulator.createJWT(userId))
      let wanted = emulator.realtime.subscriptions
      const realtime = webRealtime(client, () => emulator.realtime.waitForSubscriptions(++wanted))
      opened.push(realtime)
      return realtime
    },
    setup: () => provisionContractSchema(serverTablesDB as unknown as SchemaAdmin, 'contract'),
    async cleanup() {
      for (const realtime of opened.splice(0)) await realtime.close()
      await emulator.close()
      restoreGlobals()
    },
  }
}

export interface AppwriteEnv {
  endpoint: string
  project: string
  apiKey: string
}

/** The real server's coordinates, when `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT` and `APPWRITE_API_KEY` are all set. */
export function appwriteEnv(): AppwriteEnv | undefined {
  const { APPWRITE_ENDPOINT, APPWRITE_PROJECT, APPWRITE_API_KEY } = process.env
  if (!APPWRITE_ENDPOINT || !APPWRITE_PROJECT || !APPWRITE_API_KEY) return undefined
  return { endpoint: APPWRITE_ENDPOINT, project: APPWRITE_PROJECT, apiKey: APPWRITE_API_KEY }
}

/**
 * Target 3: a real Appwrite (server ≥ 1.8, for TablesDB and transactions). Needs an API key with
 * the scopes `databases.*`, `tables.*`, `columns.*`, `indexes.*`, `rows.*`, `users.read`,
 * `users.write`, `sessions.write`. Setup makes a throwaway database (deleted by cleanup) and throwaway users
 * (deleted too). Users sign in with `Users.createJWT`; realtime uses the JWT too.
 */
export function appwriteTarget(env: AppwriteEnv): ContractTarget {
  const restoreGlobals = installBrowserGlobals()
  const client = new server.Client()
    .setEndpoint(env.endpoint)
    .setProject(env.project)
    .setKey(env.apiKey)
  const serverTablesDB = new server.TablesDB(client)
  const users = new server.Users(client)
  const run = `bg${Date.now().toString(36)}`
  const databaseId = `contract_${run}`
  // The suite picks user ids unique to its run; each is created on first use.
  const userIds = new Set<string>()
  const opened: ContractRealtime[] = []
  const webClient = () => new Client().setEndpoint(env.endpoint).setProject(env.project)
  async function jwtOf(userId: string): Promise<string> {
    if (!userIds.has(userId)) {
      await users.create({
        userId,
        email: `${userId.toLowerCase()}@example.com`,
        password: `pw-${run}-${userId}`,
      })
      userIds.add(userId)
    }
    return (await users.createJWT({ userId })).jwt
  }
  return {
    name: `appwrite (${env.endpoint})`,
    eventTimeoutMs: 10_000,
    account: serverAccount(env.endpoint, env.project, env.apiKey, userIds),
    tablesDB: serverTablesDB as unknown as ContractTablesDB,
    userTablesDB: async (userId) =>
      new TablesDB(webClient().setJWT(await jwtOf(userId))) as unknown as ContractTablesDB,
    async realtime(userId) {
      const client = webClient()
      if (userId !== undefined) client.setJWT(await jwtOf(userId))
      // The server gives no sign that a subscription is live beyond its `response` frame, which
      // the SDK keeps to itself: wait a moment instead.
      const realtime = webRealtime(
        client,
        () => new Promise((resolve) => setTimeout(resolve, 1_000)),
      )
      opened.push(realtime)
      return realtime
    },
    setup: () => provisionContractSchema(serverTablesDB as unknown as SchemaAdmin, databaseId),
    async cleanup() {
      for (const realtime of opened.splice(0)) await realtime.close()
      await serverTablesDB.delete({ databaseId }).catch(() => {})
      for (const userId of userIds) await users.delete({ userId }).catch(() => {})
      restoreGlobals()
    },
  }
}
