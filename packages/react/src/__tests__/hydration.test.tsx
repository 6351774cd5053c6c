// @vitest-environment jsdom
import { act, screen } from '@testing-library/react'
import { createElement as h } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { ConnectionBanner, Dashboard } from './components'
import { setup, testDocument } from './utils'

describe('hydration', () => {
  it('should hydrate server HTML without a mismatch, then load on the client', async () => {
    const t = setup()
    await t.book()
    const ui = () =>
      t.renderTree(h('div', null, h(ConnectionBanner), h(Dashboard, { providerId: 'prov1' })))
    const container = testDocument().createElement('div')
    container.innerHTML = renderToString(ui())
    testDocument().body.appendChild(container)
    expect(container.textContent).toContain('Loading bookings…')

    const onRecoverableError = vi.fn()
    const root = await act(async () =>
      hydrateRoot(container as unknown as Parameters<typeof hydrateRoot>[0], ui(), {
        onRecoverableError,
      }),
    )
    await t.until(() => expect(screen.getByText('Ana, 60 min ✓')).toBeTruthy())
    expect(onRecoverableError).not.toHaveBeenCalled()
    act(() => root.unmount())
    container.remove()
  })
})
