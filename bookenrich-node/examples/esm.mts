// The ES module side of the typings: named and default imports resolve to the same declarations.
import bookenrich, { normalizeGenres, type GoodreadsExport } from 'bookenrich'

const exported: GoodreadsExport = await bookenrich.readGoodreadsCsv(new Uint8Array())
const genres: string[] = normalizeGenres(exported.books.flatMap((b) => b.bookshelves))
console.log(genres, bookenrich.VERSION)
