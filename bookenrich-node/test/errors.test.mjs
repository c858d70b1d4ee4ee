// The same bad input gives the same kind, details and field name in every front end.
// bookenrich-core/tests/error_kinds.rs, bookenrich-py/tests/test_errors.py and
// bookenrich-cli/tests/enrich.rs check the same cases through their own surfaces.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

import { Enricher, readGoodreadsCsv } from 'bookenrich'

import { startFakeCatalogue } from './helpers.mjs'

test('an export that cannot be read past a point is INVALID_CSV with file and line', async (t) => {
  // A directory opens like a file on Linux and fails on the first read.
  const dir = mkdtempSync(join(tmpdir(), 'bookenrich-errors-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const error = await readGoodreadsCsv(dir).then(
    () => assert.fail('a directory is not an export'),
    (e) => e,
  )
  assert.equal(error.code, 'INVALID_CSV')
  assert.equal(error.file, dir)
  assert.equal(error.line, 1)
  assert.ok(error.message.startsWith(`${dir}: line 1: `), error.message)
})

test('an invalid option is CONFIG naming it as JavaScript spells it', () => {
  for (const [options, field] of [
    [{ concurrency: 0 }, 'concurrency'],
    [{ requestTimeout: 0 }, 'requestTimeout'],
  ]) {
    assert.throws(
      () => new Enricher(options),
      (e) => e.code === 'CONFIG' && e.field === field && e.message.startsWith(`invalid ${field}: `),
    )
  }
  assert.throws(() => new Enricher({ concurrency: 0 }), {
    message: 'invalid concurrency: must be a whole number of at least 1, got 0',
  })
})

test('a blank cache is CONFIG naming cache, as in every front end', () => {
  assert.throws(() => new Enricher({ cache: ' ' }), (e) => {
    assert.equal(e.code, 'CONFIG')
    assert.equal(e.field, 'cache')
    assert.equal(e.message, 'invalid cache: must be a path, `memory` or `off`')
    return true
  })
})

test("a source's failure names it as `source`, on the error a request rejects with and on the book", async (t) => {
  const server = await startFakeCatalogue(t, ['--fault', '503,api=google'])
  const url = `${server.url}/books/v1/volumes?q=isbn:9780140328721`
  let rejected
  const mine = {
    name: 'mine',
    async lookup(books, fetch) {
      rejected = await fetch.getJson(url).catch((e) => e)
      throw rejected
    },
  }
  const enricher = new Enricher({ sources: [mine, 'google'], merge: 'union', cache: 'off', maxAttempts: 1, googleBooksUrl: server.url })
  const [result] = await enricher.enrich([{ title: 'Fantastic Mr. Fox', author: 'Roald Dahl', isbn13: '9780140328721' }])
  assert.equal(rejected.code, 'SOURCE_FAILED')
  assert.deepEqual([rejected.source, rejected.kind, rejected.url], ['mine', 'server', url])
  // The custom source's failure and the built-in one's, per book, under the same name.
  // The custom source let the request's error through: its books fail with the request's kind.
  assert.deepEqual(result.failures.map((f) => [f.source, f.kind]).sort(), [['google_books', 'server'], ['mine', 'server']])
  assert.match(result.failures.find((f) => f.source === 'mine').message, /^mine: HTTP 503/)
})
