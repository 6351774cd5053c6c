import { BookingGuardProvider, ChatProvider } from '@booking-guard/react'
import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import { CustomerView } from './customer/CustomerView'
import { ProviderDashboard } from './provider/ProviderDashboard'
import { loadConfig, signInAsDemoUser, signInWithPassword } from './session'
import type { AppConfig, Session } from './session'

export function App() {
  const [config, setConfig] = useState<AppConfig>()
  const [session, setSession] = useState<Session>()
  const [error, setError] = useState<string>()

  useEffect(() => {
    loadConfig().then(setConfig, (e: unknown) => setError(String(e)))
  }, [])

  if (error !== undefined) return <p role="alert">Could not start: {error}</p>
  if (config === undefined) return <p role="status">Loading…</p>
  if (session === undefined) {
    return <SignIn config={config} onSession={setSession} />
  }
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
                session.signOut()
                setSession(undefined)
              }}
            >
              Sign out
            </button>
          </span>
        </header>
        <main>
          {user.type === 'customer' ? (
            <CustomerView therapists={config.therapists} />
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
  const run = (signIn: () => Promise<Session>) => {
    setBusy(true)
    setError(undefined)
    signIn().then(onSession, (e: unknown) => {
      setError(e instanceof Error ? e.message : String(e))
      setBusy(false)
    })
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    run(() => signInWithPassword(config, String(form.get('email')), String(form.get('password'))))
  }
  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      {config.mode === 'emulator' ? (
        <>
          <p>Running on the local Appwrite emulator: pick who you are (no password).</p>
          <ul className="users">
            {config.demoUsers.map((u) => (
              <li key={u.id}>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => run(() => signInAsDemoUser(config, u.id))}
                >
                  {u.name} ({u.role})
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
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
      )}
      {error !== undefined && <p role="alert">{error}</p>}
    </main>
  )
}
