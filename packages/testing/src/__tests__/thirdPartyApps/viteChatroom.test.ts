// Replay of a public app nobody here wrote, against the emulator in Chromium, with the app's own
// SDK generation: "real-time-chat-app-with-react-appwrite", a Vite + React chat room.
//   Repository: https://github.com/ghost-sys-coder/VITE-with-appwrite-chatroom (read at commit
//   1b7f148d975814b7a00b4ef4e2cd6ad0a96493f0).
//   Files: src/context/AuthContext.jsx (load, register, login, logout), src/pages/Room.jsx and
//   src/appwrite/api.js (list, subscribe, send, delete), package.json (`"appwrite": "^13.0.0"`,
//   replayed with appwrite 13.0.2, the `appwrite-13` alias).
//   Licence: the repository carries no licence file, so none of its code is here: this test
//   transcribes the sequence of SDK calls the app makes (facts), in its order, with its arguments.
// It follows the same tutorial as the React-Appwrite-RealTime-Chat replay but differs where it
// matters to a server: another SDK generation, a page of 20, and a register that does not keep the
// user, so the user comes back through a reload (`account.get` on load) — and whoever tries the
// login form while that session is alive gets the server's `user_session_already_exists`.
// The app's schema is not in the repository; from the code: a `messages` collection with string
// attributes `user_id`, `username`, `body` (the form caps it at 2000), document security (each
// message grants `write` to its author; the delete button needs `delete("user:<id>")` in
// `$permissions`), and collection-level read and create for signed-in users.
import { describe, expect, it } from 'vitest'
import {
  chatMessagesFake,
  eventsIn,
  expectCreateEventOnly,
  haveChromium,
  inPage,
  suiteHarness,
} from './harness'

const databaseID = 'chatroom'
const messagesCollectionID = 'messages'
const channel = `databases.${databaseID}.collections.${messagesCollectionID}.documents`
const docs = `/databases/${databaseID}/collections/${messagesCollectionID}/documents`
const credentials = { email: 'grace@example.com', password: 'a long passphrase', name: 'Grace' }

describe.skipIf(!haveChromium)('third-party app: VITE-with-appwrite-chatroom (appwrite 13)', () => {
  const harness = suiteHarness('appwrite-13', () => chatMessagesFake(databaseID, 2000))

  it('should register, come back on reload, chat with realtime, delete, log out and log in', async () => {
    const args = { db: databaseID, collection: messagesCollectionID, channel }
    const page = await harness().newUser()
    const getUserOnLoad = `try { const user = await account.get(); window.user = user; return user.$id } catch (e) { return e.code }`

    // Load as a guest, then the register form: create, email session, get.
    expect(await inPage(page, getUserOnLoad)).toBe(401)
    const registered = await inPage<string>(
      page,
      `await account.create(Appwrite.ID.unique(), arg.email, arg.password, arg.name)
       await account.createEmailSession(arg.email, arg.password)
       return (await account.get()).$id`,
      credentials,
    )
    // The login form while that session is alive: the server refuses a second session.
    const loginAgain = await inPage<{ code: number; type: string }>(
      page,
      `try { await account.createEmailSession(arg.email, arg.password); return { code: 201, type: '' } }
       catch (e) { return { code: e.code, type: e.type } }`,
      credentials,
    )
    expect(loginAgain).toEqual({ code: 401, type: 'user_session_already_exists' })
    // A reload: the app's load finds the session (cookie and the SDK's localStorage fallback).
    await page.reload()
    expect(await inPage(page, getUserOnLoad)).toBe(registered)
    expect(harness().takeCalls()).toEqual([
      { method: 'GET', path: '/account', status: 401, error: 'general_unauthorized_scope' },
      { method: 'POST', path: '/account', status: 201 },
      { method: 'POST', path: '/account/sessions/email', status: 201 },
      { method: 'GET', path: '/account', status: 200 },
      {
        method: 'POST',
        path: '/account/sessions/email',
        status: 401,
        error: 'user_session_already_exists',
      },
      { method: 'GET', path: '/account', status: 200 },
    ])

    // The Room: getMessages (newest first, 20) and the subscription, then a message sent.
    const room = await inPage<{ total: number }>(
      page,
      `const listing = databases.listDocuments(arg.db, arg.collection, [Appwrite.Query.orderDesc('$createdAt'), Appwrite.Query.limit(20)])
       window.unsubscribe = client.subscribe(arg.channel, (response) => {
         if (response.events.includes('databases.*.collections.*.documents.*.create') ||
             response.events.includes('databases.*.collections.*.documents.*.delete'))
           window.events.push({ events: response.events, id: response.payload.$id })
       })
       return { total: (await listing).total }`,
      args,
    )
    expect(room).toEqual({ total: 0 })
    await harness().emulator.realtime.waitForSubscriptions(1)
    // The socket the SDK opened for the app's channel, recorded by the emulator's log.
    const sockets = harness().log.flatMap((entry) =>
      entry.type === 'realtime.open' ? [decodeURIComponent(entry.url)] : [],
    )
    expect(sockets).toHaveLength(1)
    for (const url of sockets) expect(url).toContain(`channels[]=${channel}`)
    const sent = await inPage<{ id: string; canDelete: boolean; body: string }>(
      page,
      `const doc = await databases.createDocument(arg.db, arg.collection, Appwrite.ID.unique(),
         { user_id: window.user.$id, username: window.user.name, body: 'First message' },
         [Appwrite.Permission.write(Appwrite.Role.user(window.user.$id))])
       return { id: doc.$id, body: doc.body, canDelete: doc.$permissions.includes('delete("user:' + window.user.$id + '")') }`,
      args,
    )
    expect(sent).toMatchObject({ body: 'First message', canDelete: true })
    await expectCreateEventOnly(page, sent.id)

    // handleDelete, and the delete event the room filters the message out on.
    await inPage(page, `await databases.deleteDocument(arg.db, arg.collection, arg.id)`, {
      ...args,
      id: sent.id,
    })
    await expect.poll(async () => (await eventsIn(page)).length).toBe(2)
    expect((await eventsIn(page))[1]).toMatchObject({
      id: sent.id,
      events: expect.arrayContaining(['databases.*.collections.*.documents.*.delete']),
    })
    expect(harness().takeCalls()).toEqual([
      { method: 'GET', path: docs, status: 200 },
      { method: 'POST', path: docs, status: 201 },
      { method: 'DELETE', path: `${docs}/${sent.id}`, status: 204 },
    ])

    // handleLogOut, then the login form: email session and get.
    const back = await inPage<string>(
      page,
      `window.unsubscribe()
       await account.deleteSession('current')
       await account.createEmailSession(arg.email, arg.password)
       return (await account.get()).$id`,
      credentials,
    )
    expect(back).toBe(registered)
    expect(harness().takeCalls()).toEqual([
      { method: 'DELETE', path: '/account/sessions/current', status: 204 },
      { method: 'POST', path: '/account/sessions/email', status: 201 },
      { method: 'GET', path: '/account', status: 200 },
    ])
  }, 60_000)
})
