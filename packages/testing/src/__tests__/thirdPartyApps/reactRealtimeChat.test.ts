// Replay of a public app nobody here wrote, against the emulator in Chromium, with the app's own
// SDK generation: "Real Time Chat App With React JS and Appwrite", Dennis Ivy's tutorial app.
//   Repository: https://github.com/divanov11/React-Appwrite-RealTime-Chat (read at commits
//   160d120ab918ec26d9db0cdddbd123d6895d223b and 13f3139748da09167da2b5934b1d8459a9812736).
//   Files: src/utils/AuthContext.jsx (load, register, login, logout), src/pages/Room.jsx (list,
//   subscribe, send, delete), package.json (`"appwrite": "^11.0.0"`, replayed with appwrite 11.0.1,
//   the `appwrite-11` alias).
//   Licence: the repository carries no licence file, so none of its code is here: this test
//   transcribes the sequence of SDK calls the app makes (facts), in its order, with its arguments.
// The app's schema is not in the repository; from the code: a `messages` collection with string
// attributes `user_id`, `username`, `body` (the form caps it at 250), document security (each
// message grants `write` to its author, the app shows the delete button when `$permissions` holds
// `delete("user:<id>")`), and collection-level read and create for signed-in users, which the
// shared room needs.
import { describe, expect, it } from 'vitest'
import {
  chatMessagesFake,
  eventsIn,
  expectCreateEventOnly,
  haveChromium,
  inPage,
  suiteHarness,
} from './harness'

const DATABASE_ID = 'chat'
const COLLECTION_ID_MESSAGES = 'messages'
const channel = `databases.${DATABASE_ID}.collections.${COLLECTION_ID_MESSAGES}.documents`
const docs = `/databases/${DATABASE_ID}/collections/${COLLECTION_ID_MESSAGES}/documents`

// The Room's mount: the list (not awaited by the app) and the subscription that keeps the events
// matching the create and delete wildcards.
const mountRoom = `
  const listing = databases.listDocuments(arg.db, arg.collection, [Appwrite.Query.orderDesc('$createdAt'), Appwrite.Query.limit(100)])
  window.unsubscribe = client.subscribe(arg.channel, (response) => {
    if (response.events.includes('databases.*.collections.*.documents.*.create') ||
        response.events.includes('databases.*.collections.*.documents.*.delete'))
      window.events.push({ events: response.events, id: response.payload.$id })
  })
  const list = await listing
  return { total: list.total, ids: list.documents.map((d) => d.$id) }`

describe.skipIf(!haveChromium)(
  'third-party app: React-Appwrite-RealTime-Chat (appwrite 11)',
  () => {
    const harness = suiteHarness('appwrite-11', () => chatMessagesFake(DATABASE_ID, 250))

    it('should register, chat in realtime between two users, delete, log out and log in again', async () => {
      const args = { db: DATABASE_ID, collection: COLLECTION_ID_MESSAGES, channel }
      const ada = await harness().newUser()
      const bob = await harness().newUser()

      // Load: AuthProvider asks for the account; a guest gets 401 and the app shows the login page.
      const onLoad = await inPage<number>(
        ada,
        `try { await account.get(); return 200 } catch (e) { return e.code }`,
      )
      expect(onLoad).toBe(401)
      expect(harness().takeCalls()).toEqual([
        { method: 'GET', path: '/account', status: 401, error: 'general_unauthorized_scope' },
      ])

      // Register: create, email session, get — in each browser.
      const register = `
      await account.create(Appwrite.ID.unique(), arg.email, arg.password, arg.name)
      await account.createEmailSession(arg.email, arg.password)
      const user = await account.get()
      window.user = user
      return { id: user.$id, name: user.name, email: user.email }`
      const adaUser = await inPage<{ id: string; name: string; email: string }>(ada, register, {
        email: 'ada@example.com',
        password: 'correct horse battery',
        name: 'Ada',
      })
      expect(adaUser).toMatchObject({ name: 'Ada', email: 'ada@example.com' })
      const bobUser = await inPage<{ id: string }>(bob, register, {
        email: 'bob@example.com',
        password: 'hunter2hunter2',
        name: 'Bob',
      })
      expect(harness().takeCalls()).toEqual(
        Array.from({ length: 2 }, () => [
          { method: 'POST', path: '/account', status: 201 },
          { method: 'POST', path: '/account/sessions/email', status: 201 },
          { method: 'GET', path: '/account', status: 200 },
        ]).flat(),
      )

      // The Room mounts in both browsers: an empty room, two realtime subscriptions.
      expect(await inPage(ada, mountRoom, args)).toEqual({ total: 0, ids: [] })
      expect(await inPage(bob, mountRoom, args)).toEqual({ total: 0, ids: [] })
      await harness().emulator.realtime.waitForSubscriptions(2)
      // The socket the SDK opened for the app's channel, recorded by the emulator's log.
      const sockets = harness().log.flatMap((entry) =>
        entry.type === 'realtime.open' ? [decodeURIComponent(entry.url)] : [],
      )
      expect(sockets).toHaveLength(2)
      for (const url of sockets) expect(url).toContain(`channels[]=${channel}`)
      expect(harness().takeCalls()).toEqual(
        Array.from({ length: 2 }, () => ({ method: 'GET', path: docs, status: 200 })),
      )

      // Ada sends a message with the app's payload and permissions.
      const sent = await inPage<{ id: string; permissions: string[]; user_id: string }>(
        ada,
        `const doc = await databases.createDocument(arg.db, arg.collection, Appwrite.ID.unique(),
         { user_id: window.user.$id, username: window.user.name, body: 'Hello room' },
         [Appwrite.Permission.write(Appwrite.Role.user(window.user.$id))])
       return { id: doc.$id, permissions: doc.$permissions, user_id: doc.user_id }`,
        args,
      )
      expect(sent.user_id).toBe(adaUser.id)
      // The server expands `write` into update and delete: the app's delete button depends on it.
      expect(sent.permissions).toContain(`delete("user:${adaUser.id}")`)
      expect(harness().takeCalls()).toEqual([{ method: 'POST', path: docs, status: 201 }])

      // Realtime delivers the create to both rooms (Bob reads through the collection's read).
      for (const page of [ada, bob]) await expectCreateEventOnly(page, sent.id)

      // Bob's room after a reload of the list: the message, without Ada's delete right for Bob.
      const bobView = await inPage<{ ids: string[]; canDelete: boolean }>(
        bob,
        `const list = await databases.listDocuments(arg.db, arg.collection, [Appwrite.Query.orderDesc('$createdAt'), Appwrite.Query.limit(100)])
       return { ids: list.documents.map((d) => d.$id), canDelete: list.documents[0].$permissions.includes('delete("user:' + window.user.$id + '")') }`,
        args,
      )
      expect(bobView).toEqual({ ids: [sent.id], canDelete: false })
      // Bob cannot delete Ada's message; Ada can, and the delete reaches both rooms.
      const bobDelete = await inPage<number>(
        bob,
        `try { await databases.deleteDocument(arg.db, arg.collection, arg.id); return 204 } catch (e) { return e.code }`,
        { ...args, id: sent.id },
      )
      expect(bobDelete).toBe(401)
      await inPage(ada, `await databases.deleteDocument(arg.db, arg.collection, arg.id)`, {
        ...args,
        id: sent.id,
      })
      expect(harness().takeCalls()).toEqual([
        { method: 'GET', path: docs, status: 200 },
        {
          method: 'DELETE',
          path: `${docs}/${sent.id}`,
          status: 401,
          error: 'user_unauthorized',
        },
        { method: 'DELETE', path: `${docs}/${sent.id}`, status: 204 },
      ])
      for (const page of [ada, bob])
        await expect
          .poll(async () =>
            (await eventsIn(page)).map((e) =>
              e.events.find((n) => n.startsWith('databases.*.collections.*.documents.*.')),
            ),
          )
          .toEqual([
            'databases.*.collections.*.documents.*.create',
            'databases.*.collections.*.documents.*.delete',
          ])

      // Logout (the Header's button) then login again (the login page).
      const relogin = await inPage<{ afterLogout: number; id: string }>(
        ada,
        `window.unsubscribe()
       await account.deleteSession('current')
       let afterLogout = 200
       try { await account.get() } catch (e) { afterLogout = e.code }
       await account.createEmailSession(arg.email, arg.password)
       return { afterLogout, id: (await account.get()).$id }`,
        { email: 'ada@example.com', password: 'correct horse battery' },
      )
      expect(relogin).toEqual({ afterLogout: 401, id: adaUser.id })
      expect(bobUser.id).not.toBe(adaUser.id)
      expect(harness().takeCalls()).toEqual([
        { method: 'DELETE', path: '/account/sessions/current', status: 204 },
        { method: 'GET', path: '/account', status: 401, error: 'general_unauthorized_scope' },
        { method: 'POST', path: '/account/sessions/email', status: 201 },
        { method: 'GET', path: '/account', status: 200 },
      ])
    }, 60_000)
  },
)
