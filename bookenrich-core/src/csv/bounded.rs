//! A CSV record reader that never holds more than a set size of one row.
//!
//! `csv::Reader` grows its record buffer until the record fits, so one hostile cell
//! (a 2 GB "review") or one row of a million empty fields is loaded whole before its
//! size can be checked. This reader drives `csv_core` with a small fixed output buffer
//! and keeps at most `max_field_bytes` of each field and at most `max_fields` fields of
//! a row. What goes beyond is counted and thrown away, so the row can still be reported
//! with its real size, and reading goes on with the next row.

use std::io::{self, BufRead};

/// Bytes of output `csv_core` writes per call; the unit in which cells are copied.
const CHUNK: usize = 8 * 1024;
/// Field ends `csv_core` reports per call.
const ENDS_CHUNK: usize = 64;

/// The first field of a row that went over the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Oversized {
    /// 0-based position of the field in the row.
    pub(crate) field: usize,
    /// Its full size in bytes (counted, not kept).
    pub(crate) bytes: u64,
}

/// What [`BoundedRecords::read`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// A row; its kept fields are in [`BoundedRecords::field`].
    Row {
        /// 1-based line where the row starts (as `csv::Position::line` counts it).
        line: u64,
        /// Fields in the row, kept or not.
        fields: usize,
        /// The first field over `max_field_bytes`, if one is.
        oversized: Option<Oversized>,
    },
    /// The input is exhausted.
    End,
}

/// Reads CSV rows (RFC 4180 with `""` escapes, `\n` or `\r\n` lines, a UTF-8 BOM
/// skipped) holding at most `max_field_bytes × max_fields` bytes of a row.
pub(crate) struct BoundedRecords<R> {
    core: csv_core::Reader,
    input: R,
    max_field_bytes: usize,
    max_fields: usize,
    /// Kept bytes of the current row's fields, back to back.
    kept: Vec<u8>,
    /// End offset in `kept` of each kept field.
    ends: Vec<usize>,
    line: u64,
    done: bool,
    out: Box<[u8]>,
    out_ends: [usize; ENDS_CHUNK],
}

/// The state of the row being read.
struct RowState {
    /// Output bytes of the row so far (the position `csv_core` reports field ends at).
    pos: usize,
    /// Where the current field starts in the row output.
    field_start: usize,
    /// Index of the current field.
    field: usize,
    oversized: Option<Oversized>,
}

impl<R: BufRead> BoundedRecords<R> {
    /// A reader of `input` keeping at most `max_field_bytes` of each field and `max_fields` fields.
    pub(crate) fn new(input: R, max_field_bytes: usize, max_fields: usize) -> Self {
        Self {
            core: csv_core::Reader::new(),
            input,
            max_field_bytes,
            max_fields,
            kept: Vec::new(),
            ends: Vec::new(),
            line: 1,
            done: false,
            out: vec![0; CHUNK].into_boxed_slice(),
            out_ends: [0; ENDS_CHUNK],
        }
    }

    /// Changes how many fields of a row are kept (e.g. the header's width, once it is known).
    pub(crate) fn set_max_fields(&mut self, max_fields: usize) {
        self.max_fields = max_fields;
    }

    /// The current 1-based line (where the next row starts).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Kept field `i` of the last row: `None` when the row had fewer fields or the field
    /// is beyond `max_fields`; a field over `max_field_bytes` reads as empty.
    pub(crate) fn field(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.kept.get(start..end)
    }

    /// Reads the next row. I/O errors are returned as they are; a row is never an error.
    pub(crate) fn read(&mut self) -> io::Result<Next> {
        use csv_core::ReadRecordResult as R;

        self.kept.clear();
        self.ends.clear();
        let line = self.line;
        if self.done {
            return Ok(Next::End);
        }
        let mut row = RowState { pos: 0, field_start: 0, field: 0, oversized: None };
        loop {
            let input = self.input.fill_buf()?;
            let (result, nin, nout, nend) =
                self.core.read_record(input, &mut self.out, &mut self.out_ends);
            self.input.consume(nin);
            self.line = self.core.line();
            self.take(&mut row, nout, nend);
            match result {
                R::InputEmpty | R::OutputFull | R::OutputEndsFull => {}
                R::Record => {
                    return Ok(Next::Row { line, fields: row.field, oversized: row.oversized });
                }
                R::End => {
                    self.done = true;
                    return Ok(Next::End);
                }
            }
        }
    }

    /// Keeps what fits of `nout` output bytes and `nend` field ends of the last call.
    fn take(&mut self, row: &mut RowState, nout: usize, nend: usize) {
        let chunk_start = row.pos;
        let mut from = 0; // offset in `out` of the bytes not yet given to a field
        for k in 0..nend {
            let end = self.out_ends[k] - chunk_start;
            self.append(row, from, end);
            from = end;
            // The field is complete.
            if row.field < self.max_fields {
                self.ends.push(self.kept.len());
            }
            row.field += 1;
            row.field_start = chunk_start + end;
        }
        self.append(row, from, nout);
        row.pos += nout;
    }

    /// Adds `out[from..to]` to the current field, if the field is still kept.
    fn append(&mut self, row: &mut RowState, from: usize, to: usize) {
        if from == to || row.field >= self.max_fields {
            return;
        }
        let field_bytes = row.pos + to - row.field_start;
        if field_bytes > self.max_field_bytes {
            // Drop what was kept of this field, and remember the first such field; its
            // full size is known when it ends.
            let field_kept_start = self.ends.last().copied().unwrap_or(0);
            self.kept.truncate(field_kept_start);
            match &mut row.oversized {
                Some(o) if o.field == row.field => o.bytes = field_bytes as u64,
                Some(_) => {}
                None => {
                    row.oversized = Some(Oversized { field: row.field, bytes: field_bytes as u64 });
                }
            }
            return;
        }
        self.kept.extend_from_slice(&self.out[from..to]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &[u8], max_field: usize, max_fields: usize) -> Vec<(Next, Vec<Vec<u8>>)> {
        let mut reader = BoundedRecords::new(data, max_field, max_fields);
        let mut out = Vec::new();
        loop {
            let next = reader.read().unwrap_or_else(|e| panic!("{e}"));
            if next == Next::End {
                return out;
            }
            let fields =
                (0..max_fields).map_while(|i| reader.field(i).map(<[u8]>::to_vec)).collect();
            out.push((next, fields));
        }
    }

    #[test]
    fn reads_like_the_csv_crate() {
        let data = "\u{feff}a,b,c\r\n1,\"x, \"\"y\"\"\nz\",3\n\n4,5\n";
        let got = rows(data.as_bytes(), 100, 10);
        let mut want = Vec::new();
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data.as_bytes());
        for record in csv.byte_records() {
            let record = record.unwrap_or_else(|e| panic!("{e}"));
            let line = record.position().map_or(0, ::csv::Position::line);
            let fields: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
            want.push((Next::Row { line, fields: fields.len(), oversized: None }, fields));
        }
        assert_eq!(got, want);
        assert_eq!(got[1].1[1], b"x, \"y\"\nz");
    }

    #[test]
    fn a_field_over_the_cap_is_counted_not_kept() {
        let big = "x".repeat(100_000);
        let data = format!("1,{big},3\n2,ok,4\n");
        let mut reader = BoundedRecords::new(data.as_bytes(), 1000, 10);
        assert_eq!(
            reader.read().unwrap_or_else(|e| panic!("{e}")),
            Next::Row {
                line: 1,
                fields: 3,
                oversized: Some(Oversized { field: 1, bytes: 100_000 }),
            }
        );
        assert!(reader.kept.capacity() <= 2 * 1000 + CHUNK, "{}", reader.kept.capacity());
        assert_eq!(reader.field(0), Some(&b"1"[..]));
        assert_eq!(reader.field(2), Some(&b"3"[..]));
        // The next row is read normally.
        assert_eq!(
            reader.read().unwrap_or_else(|e| panic!("{e}")),
            Next::Row { line: 2, fields: 3, oversized: None }
        );
        assert_eq!(reader.field(1), Some(&b"ok"[..]));
    }

    #[test]
    fn fields_beyond_the_cap_are_counted_not_kept() {
        let data = format!("a,b{}\n", ",".repeat(1_000_000));
        let mut reader = BoundedRecords::new(data.as_bytes(), 100, 3);
        assert_eq!(
            reader.read().unwrap_or_else(|e| panic!("{e}")),
            Next::Row { line: 1, fields: 1_000_002, oversized: None }
        );
        assert!(reader.ends.len() <= 3);
        assert_eq!(reader.field(1), Some(&b"b"[..]));
    }

    #[test]
    fn a_cap_exactly_reached_is_kept_and_chunk_borders_do_not_matter() {
        for size in [CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let cell = "y".repeat(size);
            let data = format!("{cell},{cell}\n");
            let got = rows(data.as_bytes(), size, 4);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].1, vec![cell.as_bytes().to_vec(); 2], "{size}");
            let got = rows(data.as_bytes(), size - 1, 4);
            assert!(matches!(
                got[0].0,
                Next::Row { oversized: Some(Oversized { field: 0, bytes }), .. } if bytes == size as u64
            ));
        }
    }
}
