// A Rust panic becomes an Error with code INTERNAL; the Node process lives on.
// The panicking functions exist only in a build with the `test-hooks` feature (as CI builds it).
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import { normalizeGenres } from 'bookenrich'

import { rejectsWithCode, throwsWithCode } from './helpers.mjs'

// The panics below are expected: keep Rust's panic hook to its one-line message.
process.env.RUST_BACKTRACE = '0'

const native = createRequire(import.meta.url)('../index.js')
const hooks = typeof native.__panicForTests === 'function'
const skip = hooks
  ? false
  : 'the addon was built without `--features test-hooks` (npm run build:test builds it with them)'
if (!hooks && process.env.BOOKENRICH_REQUIRE_TEST_HOOKS) {
  throw new Error(`BOOKENRICH_REQUIRE_TEST_HOOKS is set but ${skip}`)
}

test('a panic in a synchronous call throws INTERNAL with the panic message', { skip }, () => {
  const error = throwsWithCode(assert, () => native.__panicForTests('boom in sync code'), 'INTERNAL')
  assert.equal(error.message, 'internal error in bookenrich (a Rust panic; please report it): boom in sync code')
  // The addon is still usable.
  assert.deepEqual(normalizeGenres(['Fantasy']), ['Fantasy', 'Fiction'])
})

test('a panic in async work rejects the Promise with INTERNAL', { skip }, async () => {
  await rejectsWithCode(
    assert,
    native.__panicInPromiseForTests('boom in a future'),
    'INTERNAL',
    /a Rust panic; please report it\): boom in a future$/,
  )
  // Errors that are not panics keep their own code.
  await rejectsWithCode(assert, native.__panicInPromiseForTests(''), 'INVALID_INPUT', /give a panic message/)
  assert.deepEqual(normalizeGenres(['Fantasy']), ['Fantasy', 'Fiction'])
})
