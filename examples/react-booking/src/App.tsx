import { BookingGuardProvider, ChatProvider } from '@booking-guard/react'
import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import { loadConfig } from './config'
import type { AppConfig } from './config'
import { CustomerView } from './customer/CustomerView'
import { ProviderDashboard } from './provider/ProviderDashboard'
import { resumeSession, signIn } from './session'
import type { Session } from './session'

// Vite replaces each `import.meta.env.VITE_…` with its value; the object itself is not complete.
const readConfig = (): AppConfig =>
  loadConfig({
    VITE_APPWRITE_ENDPOINT: import.meta.env.VITE_APPWRITE_ENDPOINT as string | undefined,
    VITE_APPWRITE_PROJECT: import.meta.env.VITE_APPWRITE_PROJECT as string | undefined,
    VITE_BOOKING_DATABASE: import.meta.env.VITE_BOOKING_DATABASE as string | undefined,
    VITE_BOOKING_FUNCTION: import.meta.env.VITE_BOOKING_FUNCTION as string | undefined,
    VITE_THERAPISTS: import.meta.env.VITE_THERAPISTS as string | undefined,
    VITE_DEMO_USERS: import.meta.env.VITE_DEMO_USERS as string | undefined,
  })

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

export function App() {
  const [start] = useState((): { config?: AppConfig; error?: string } => {
    try {
      return { config: readConfig() }
    } catch (e) {
      return { error: messageOf(e) }
    }
  })
  const config = start.config
  // `null`: signed out; `undefined`: not known yet.
  const [session, setSession] = useState<Session | null>()
  const [failure, setFailure] = useState<string>()
  const error = start.error ?? failure

  useEffect(() => {
    if (config === undefined) return
    resumeSession(config).then(
      (resumed) => setSession(resumed ?? null),
      (e: unknown) => setFailure(`Appwrite at ${config.endpoint} did not answer: ${messageOf(e)}`),
    )
  }, [config])

  if (error !== undefined) return <p role="alert">Could not start: {error}</p>
  if (config === undefined || session === undefined) return <p role="status">Loading…</p>
  if (session === null) return <SignIn config={config} onSession={setSession} />
  const { user } = session
  return (
    <BookingGuardProvider guard={session.guard} monitor={session.monitor}>
      <ChatProvider user={user}>
        <header className="top">
          <h1>
            booking-guard · {user.type === 'customer' ? 'Book a massage' : 'Therapist dashboard'}
          </h1>
          <span>
            Signed in as <strong data-testid="user-name">{user.name}</strong>{' '}
            <button
              type="button"
              onClick={() => {
                session.signOut().then(
                  () => setSession(null),
                  (e: unknown) => setFailure(`Could not sign out: ${messageOf(e)}`),
                )
              }}
            >
              Sign out
            </button>
          </span>
        </header>
        <main>
          {user.type === 'customer' ? (
            <CustomerView therapists={config.therapists} customerName={user.name} />
          ) : (
            <ProviderDashboard session={session} />
          )}
        </main>
      </ChatProvider>
    </BookingGuardProvider>
  )
}

function SignIn({ config, onSession }: { config: AppConfig; onSession: (s: Session) => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const run = (email: string, password: string) => {
    setBusy(true)
    setError(undefined)
    signIn(config, email, password).then(onSession, (e: unknown) => {
      setError(messageOf(e))
      setBusy(false)
    })
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    run(String(form.get('email')), String(form.get('password')))
  }
  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      {config.demoUsers.length > 0 && (
        <>
          <p>
            Running on the local Appwrite emulator. Pick a demo account (it signs in with its email
            and password, through Appwrite's Account API):
          </p>
          <ul className="users">
            {config.demoUsers.map((u) => (
              <li key={u.email}>
                <button type="button" disabled={busy} onClick={() => run(u.email, u.password)}>
                  {u.name} ({u.role})
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <form onSubmit={submit}>
        <label>
          Email <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password{' '}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {error !== undefined && <p role="alert">{error}</p>}
    </main>
  )
}
