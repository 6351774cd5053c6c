/**
 * Shared setup of the suite transcribed from Appwrite's own end-to-end tests
 * (`appwrite/appwrite`, `tests/e2e/Services/**` at tag 1.9.6, the server version the emulator answers as).
 *
 * Each case names the upstream file and method it carries the facts of. The upstream tests talk
 * raw HTTP through a small client (`tests/e2e/Client.php`): GET parameters in the query string as
 * PHP's `http_build_query` writes them (`queries[0]=…`), every other method a JSON body. `call`
 * below does the same, so the cases here send what the upstream cases send.
 */
import WebSocket from 'ws'
import { afterAll, beforeAll } from 'vitest'
import { startAppwriteEmulator } from '../../emulator'
import type { AppwriteEmulator, AppwriteEmulatorOptions } from '../../emulator'
import { openFrameQueue } from '../helpers'

/** An answer as the upstream client returns it: status, lower-cased headers, decoded body. */
export interface Answer {
  status: number
  headers: Headers
  // Bodies are free-form JSON; cases read the fields the upstream case reads.
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A user signed up and signed in through the Account API, as `getUser()` upstream. */
export interface SignedUpUser {
  $id: string
  email: string
  password: string
  name: string
  /** The session value, sent as the `a_session_<project>` cookie. */
  session: string
  /** Headers of a request made as this user (project + session cookie). */
  headers: Record<string, string>
}

export interface Upstream {
  readonly emulator: AppwriteEmulator
  /** Headers of a request made with the API key (the upstream `CustomServer` scope). */
  readonly key: Record<string, string>
  /** The name of the session cookie, `a_session_<project>`. */
  readonly cookieName: string
  /** Headers of a guest request (project only). */
  readonly guest: Record<string, string>
  /** One request, as `$this->client->call(method, path, headers, params)` upstream. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    params?: Record<string, unknown>,
  ): Promise<Answer>
  /** Signs up a new user (`POST /account`, id `unique()` unless given) and opens an email session. */
  signUp(name?: string, userId?: string): Promise<SignedUpUser>
  /** The session value the `a_session_<project>` `Set-Cookie` of `answer` carries (throws if none). */
  sessionOf(answer: Answer): string
  /** Headers of a request signed in by the session value `session` (project + session cookie). */
  as(session: string): Record<string, string>
  /** Opens one more email session for `user` (setup: throws unless it answers 201); its answer. */
  openSession(user: { email: string; password: string }): Promise<Answer>
  /** Creates a database with the API key (`POST /tablesdb`, id `unique()`); its id. */
  createDatabase(name: string): Promise<string>
  /** Opens a realtime socket as upstream's `getWebsocket(channels, headers, projectId)`. */
  socket(
    channels: string[],
    headers?: Record<string, string>,
    projectId?: string,
  ): Promise<RealtimeSocket>
  /**
   * Opens a realtime socket whose URL carries exactly `params` (as PHP's `http_build_query` writes
   * them), as upstream's `getWebsocketWithCustomQuery(params, headers)`.
   */
  socketWith(
    params: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<RealtimeSocket>
  close(): Promise<void>
}

interface Frame {
  type: string
  data: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A raw realtime WebSocket that queues the frames it receives. */
export interface RealtimeSocket {
  /** The next frame, in order of arrival. */
  next(): Promise<Frame>
  send(frame: unknown): void
  /** Resolves with the close code once the server closed the socket. */
  closed(): Promise<number>
  close(): void
}

/**
 * Setup steps that must succeed: throws, naming the step and the answer, when `answer` is not
 * `status` (a failed setup then reads as what went wrong, not as a later case's mismatch).
 */
export function must(answer: Answer, status: number, step: string): Answer {
  if (answer.status !== status)
    throw new Error(
      `upstream setup: ${step} answered ${answer.status} (expected ${status}): ${JSON.stringify(answer.body)}`,
    )
  return answer
}

/** PHP's `http_build_query`: nested arrays and objects as `name[0]=…&name[key]=…`. */
function phpQuery(params: Record<string, unknown>): string {
  const parts: string[] = []
  const add = (name: string, value: unknown) => {
    if (value === null || value === undefined) return
    if (Array.isArray(value)) value.forEach((item, i) => add(`${name}[${i}]`, item))
    else if (typeof value === 'object')
      for (const [key, item] of Object.entries(value)) add(`${name}[${key}]`, item)
    else
      parts.push(
        `${encodeURIComponent(name)}=${encodeURIComponent(typeof value === 'boolean' ? (value ? '1' : '0') : String(value as string | number))}`,
      )
  }
  for (const [name, value] of Object.entries(params)) add(name, value)
  return parts.join('&')
}

let userCount = 0

/** Starts an emulator (strict, as the server) and the upstream-style client over it. */
export async function startUpstream(options: AppwriteEmulatorOptions = {}): Promise<Upstream> {
  const emulator = await startAppwriteEmulator(options)
  const project = { 'x-appwrite-project': emulator.projectId }
  const key = { ...project, 'x-appwrite-key': emulator.apiKey }
  const cookieName = `a_session_${emulator.projectId}`

  const call: Upstream['call'] = async (method, path, headers, params = {}) => {
    const query = method === 'GET' ? phpQuery(params) : ''
    const url = `${emulator.endpoint}${path}${query === '' ? '' : `?${query}`}`
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(method === 'GET' ? {} : { body: JSON.stringify(params) }),
    })
    const text = await response.text()
    const type = response.headers.get('content-type') ?? ''
    return {
      status: response.status,
      headers: response.headers,
      body: type.includes('json') && text !== '' ? (JSON.parse(text) as unknown) : text,
    }
  }

  const sessionOf = (answer: Answer): string => {
    const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${cookieName}=`))
    if (line === undefined)
      throw new Error(
        `upstream setup: the answer (${answer.status}) set no ${cookieName} cookie: ${JSON.stringify(answer.body)}`,
      )
    return decodeURIComponent(line.slice(cookieName.length + 1).split(';')[0] ?? '')
  }
  const as = (session: string) => ({ ...project, cookie: `${cookieName}=${session}` })

  const signUp = async (name = 'User Name', userId = 'unique()'): Promise<SignedUpUser> => {
    userCount += 1
    const email = `user${userCount}.${Date.now()}@localhost.test`
    const password = 'password'
    const created = must(
      await call('POST', '/account', project, { userId, email, password, name }),
      201,
      `signing up ${email}`,
    )
    const session = must(
      await call('POST', '/account/sessions/email', project, { email, password }),
      201,
      `opening the email session of ${email}`,
    )
    const value = sessionOf(session)
    return {
      $id: (created.body as { $id: string }).$id,
      email,
      password,
      name,
      session: value,
      headers: as(value),
    }
  }

  const openSession: Upstream['openSession'] = async ({ email, password }) =>
    must(
      await call('POST', '/account/sessions/email', project, { email, password }),
      201,
      `opening another session for ${email}`,
    )

  const createDatabase = async (name: string): Promise<string> => {
    const database = await call('POST', '/tablesdb', key, { databaseId: 'unique()', name })
    return must(database, 201, `creating the database ${name}`).body.$id as string
  }

  const socketWith: Upstream['socketWith'] = async (params, headers = {}) => {
    const ws = new WebSocket(`${emulator.realtimeEndpoint}/realtime?${phpQuery(params)}`, {
      headers,
    })
    const closeCode = new Promise<number>((resolve) =>
      ws.once('close', (code: number) => resolve(code)),
    )
    const next = await openFrameQueue<Frame>(ws)
    return {
      next,
      send: (frame) => ws.send(JSON.stringify(frame)),
      closed: () => closeCode,
      close: () => ws.close(),
    }
  }
  const socket: Upstream['socket'] = (channels, headers = {}, projectId = emulator.projectId) =>
    socketWith({ project: projectId, channels }, headers)

  return {
    emulator,
    key,
    cookieName,
    guest: project,
    call,
    signUp,
    sessionOf,
    as,
    openSession,
    createDatabase,
    socket,
    socketWith,
    close: () => emulator.close(),
  }
}

/**
 * Creates a transaction (`POST /tablesdb/transactions`, ttl 3600) as `headers`, stages
 * `operations` in it, then commits it or rolls it back. Setup: throws unless each step answers as
 * the server does (201, 201, 200).
 */
export async function inTransaction(
  up: Upstream,
  headers: Record<string, string>,
  operations: Array<Record<string, unknown>>,
  end: 'commit' | 'rollback',
): Promise<void> {
  const transactions = '/tablesdb/transactions'
  const transaction = must(
    await up.call('POST', transactions, headers, { ttl: 3600 }),
    201,
    'creating a transaction',
  )
  const id = transaction.body.$id as string
  must(
    await up.call('POST', `${transactions}/${id}/operations`, headers, { operations }),
    201,
    'staging the operations',
  )
  must(
    await up.call('PATCH', `${transactions}/${id}`, headers, { [end]: true }),
    200,
    end === 'commit' ? 'committing' : 'rolling back',
  )
}

/**
 * A multipart upload (`POST /storage/buckets/{bucketId}/files`) as upstream's `Client::call` sends
 * one: the fields flattened as PHP's `http_build_query` names them (`permissions[0]`), `fileId`
 * `unique()` unless given, the file as a part named `name`; made with `headers`.
 */
export async function uploadFile(
  up: Upstream,
  bucketId: string,
  name: string,
  bytes: Uint8Array,
  fields: { fileId?: string; permissions?: string[]; [name: string]: unknown },
  headers: Record<string, string>,
): Promise<Answer> {
  const form = new FormData()
  for (const [field, value] of Object.entries({ fileId: 'unique()', ...fields })) {
    if (Array.isArray(value))
      value.forEach((item, i) => form.append(`${field}[${i}]`, String(item)))
    else form.append(field, String(value))
  }
  form.append('file', new Blob([bytes]), name)
  const response = await fetch(`${up.emulator.endpoint}/storage/buckets/${bucketId}/files`, {
    method: 'POST',
    headers,
    body: form,
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : JSON.parse(text),
  }
}

/**
 * Registers an emulator for the cases of the calling file (or `describe`): started with
 * `options()` before all of them, closed after all; `suite.up` once started.
 */
export function upstreamSuite(options: () => AppwriteEmulatorOptions): { readonly up: Upstream } {
  const suite = {} as { up: Upstream }
  beforeAll(async () => {
    suite.up = await startUpstream(options())
  })
  afterAll(async () => {
    await suite.up.close()
  })
  return suite
}

/** Whether `value` is a date-time as the server writes them (`2026-01-02T03:04:05.678+00:00`). */
export const isDatetime = (value: unknown): boolean =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/.test(value)

/** An account made by {@link createAccount}, with the answer of its first email session. */
export interface NewAccount {
  $id: string
  email: string
  password: string
  name: string
  session: Answer
}

let accountCount = 0

/**
 * Creates an account (`POST /account`, email + password) and opens one email session for it, both
 * through `headers` (a guest's unless given; the key's for the server-side cases). `now` (ms, the
 * case's clock) makes the email unique together with a running count. Setup: throws unless both
 * answer 201.
 */
export async function createAccount(
  up: Upstream,
  now: number,
  headers: Record<string, string> = up.guest,
  name = 'User Name',
): Promise<NewAccount> {
  accountCount += 1
  const email = `${accountCount}.${now}user@localhost.test`
  const password = 'password'
  const created = must(
    await up.call('POST', '/account', headers, { userId: 'unique()', email, password, name }),
    201,
    'creating the account',
  )
  const session = must(
    await up.call('POST', '/account/sessions/email', headers, { email, password }),
    201,
    'creating the session',
  )
  return { $id: created.body.$id as string, email, password, name, session }
}

/** Permission strings as `Permission::read(Role::user($id))` and the like write them upstream. */
export const permission = {
  read: (role: string) => `read("${role}")`,
  create: (role: string) => `create("${role}")`,
  update: (role: string) => `update("${role}")`,
  delete: (role: string) => `delete("${role}")`,
  write: (role: string) => `write("${role}")`,
}
