// The ES module entry of `bookenrich`: the same objects as the CommonJS entry
// (one native addon instance, no dual-package hazard), as named exports.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const bookenrich = require('./bookenrich.cjs')

export const {
  Enricher,
  GenreNormalizer,
  buildDashboard,
  exportToDashboard,
  normalizeGenres,
  readGoodreadsCsv,
  writeDashboard,
  VERSION,
} = bookenrich

export default bookenrich
