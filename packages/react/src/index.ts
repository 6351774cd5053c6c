'use client'

// React bindings arrive with issue 8; until then this package exports nothing.
export {}
