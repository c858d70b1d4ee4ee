// The ES module entry loads, has the same named exports, and shares the CommonJS instance.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import bookenrich, * as named from 'bookenrich'

const require = createRequire(import.meta.url)

test('import "bookenrich" gives named exports and a default export', () => {
  const names = Object.keys(named).filter((n) => n !== 'default').sort()
  assert.deepEqual(names, Object.keys(bookenrich).sort())
  assert.equal(typeof named.readGoodreadsCsv, 'function')
  assert.equal(typeof named.buildDashboard, 'function')
})

test('the ES module and CommonJS entries share one set of objects', () => {
  const cjs = require('bookenrich')
  for (const name of Object.keys(cjs)) {
    assert.equal(named[name], cjs[name], name)
  }
})

test('an Enricher made through the ES module entry is usable offline', async () => {
  const enricher = new named.Enricher({ offline: true, cache: 'memory' })
  const [result] = await enricher.enrich([{ title: 'Dune', author: 'Frank Herbert', goodreadsId: '1' }])
  assert.equal(result.goodreadsId, '1')
  assert.deepEqual(result.finalGenres, [])
})
