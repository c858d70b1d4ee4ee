// A typed use of the whole API, checked by `tsc --noEmit -p examples` in CI (never run).
// The `@ts-expect-error` lines prove the declarations reject what the binding rejects.
import {
  type Book,
  type Dashboard,
  type DashboardReport,
  type EnrichmentResult,
  type Progress,
  Enricher,
  GenreNormalizer,
  VERSION,
  buildDashboard,
  exportToDashboard,
  normalizeGenres,
  readGoodreadsCsv,
  writeDashboard,
} from 'bookenrich'

async function main(csvPath: string, outPath: string): Promise<number> {
  const { books, problems, rowsRead, unreadSkipped } = await readGoodreadsCsv(csvPath, { includeUnread: false })
  for (const problem of problems) {
    const where: string = `line ${problem.line}`
    const kind: 'blank_book_id' | 'duplicate_book_id' | 'blank_title' | 'blank_author' | 'field_count' | 'field_too_large' | 'invalid_utf8' =
      problem.kind
    console.warn(where, kind, problem.message)
  }
  const first: Book | undefined = books[0]
  const isbn: string | null = first?.isbn13 ?? null
  console.log(rowsRead, unreadSkipped, isbn, VERSION)

  const enricher = new Enricher({
    sources: ['openlibrary', 'google'],
    merge: 'union',
    concurrency: 8,
    rateLimits: { openlibrary: 3, google: 1 },
    cache: 'memory',
    contact: 'me@example.com',
  })
  const sources: string[] = enricher.sources
  const merge: 'planned' | 'union' | 'first_with_genres' = enricher.merge
  console.log(sources, merge, enricher.concurrency, enricher.rateLimits, enricher.offline)

  const controller = new AbortController()
  const results: EnrichmentResult[] = await enricher.enrich(books, {
    onProgress: (p: Progress) => console.log(`${p.booksDone}/${p.booksTotal} books, ${p.requests} requests`),
    signal: controller.signal,
  })
  // Plain objects with just a title and an author work too.
  const { results: more, summary } = await enricher.enrichWithSummary([{ title: 'Dune', author: 'Frank Herbert' }])
  console.log(more[0]?.finalGenres.join(', '), summary.requests, summary.sources[0]?.booksMatched)

  const dashboard: Dashboard = buildDashboard(books, results, { includePrivateNotes: false, exportId: 'run-1' })
  const year: number | null | undefined = dashboard.books[0]?.reading_year
  const rate: number = dashboard.summary.genre_enrichment_rate
  console.log(year, rate, dashboard.metadata.validation.genre_sources_success.both_sources)
  await writeDashboard(dashboard, outPath)
  // The same file without a JS object per book: the fast path for large libraries.
  const report: DashboardReport = await exportToDashboard(csvPath, outPath, results, { includeUnread: false, exportId: 'run-1' })
  console.log(report.path, report.books, report.rowsRead, report.problems[0]?.kind)

  const genres: string[] = normalizeGenres(['Fiction / Science Fiction / Space Opera'])
  const normalizer = new GenreNormalizer({ maxGenres: 3 })
  const kind: 'Fiction' | 'Nonfiction' | null = normalizer.classify(genres)
  console.log(kind, normalizer.explain('Large type books').dropped[0]?.reason, normalizer.vocabulary.length)

  try {
    await readGoodreadsCsv('missing.csv')
  } catch (error) {
    // Errors are plain `Error`s with a `code`.
    if (error instanceof Error && 'code' in error && error.code === 'IO') return 1
  }
  return 0
}

function typeErrors(books: Book[]): void {
  // @ts-expect-error: a path or bytes, not a number
  void readGoodreadsCsv(42)
  // @ts-expect-error: `merge` is one of two names
  void new Enricher({ merge: 'best' })
  // @ts-expect-error: the dashboard object keeps the JSON's snake_case keys
  void buildDashboard(books).summary.totalBooks
  // @ts-expect-error: a book needs an author
  void new Enricher().enrich([{ title: 'Dune' }])
}

void main(process.argv[2] ?? 'goodreads_library_export.csv', process.argv[3] ?? 'dashboard.json')
void typeErrors
