// The same bad input gives the same kind, details and field name in every front end.
// bookenrich-core/tests/error_kinds.rs, bookenrich-py/tests/test_errors.py and
// bookenrich-cli/tests/enrich.rs check the same cases through their own surfaces.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

import { Enricher, readGoodreadsCsv } from 'bookenrich'

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
