// The examples of docs/node.md (marked `<!-- example: NAME`), run exactly as written against the fake catalogue.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { REPO_ROOT, runExample } from './helpers.mjs'

/** The ```js block that follows the `<!-- example: NAME` marker in docs/node.md. */
function docExample(name) {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'node.md'), 'utf8')
  const marker = `<!-- example: ${name}`
  const at = doc.indexOf(marker)
  assert.ok(at >= 0, `docs/node.md has a ${marker} marker`)
  const match = /-->\s*```js\n([\s\S]*?)```/.exec(doc.slice(at))
  assert.ok(match, `a js block follows ${marker}`)
  return match[1]
}

test("the shelves example prints the reader's genre shelves", { timeout: 120_000 }, async (t) => {
  const { stdout } = await runExample(t, docExample('shelves'))
  const lines = stdout.trim().split('\n')
  const annihilation = lines.find((l) => l.startsWith('Annihilation'))
  assert.ok(annihilation, stdout)
  assert.match(annihilation, /shelves sci-fi, weird -> .*Science Fiction/)
  assert.ok(lines.some((l) => l.startsWith('The Way of Kings') && l.includes('shelves fantasy ->')), stdout)
  // Books on reading-status shelves only (to-read, currently-reading) have no shelf genres.
  assert.ok(!lines.some((l) => l.startsWith('Atomic Habits') || l.startsWith('Project Hail Mary')), stdout)
})
