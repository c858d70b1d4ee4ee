//! Building a struct from another's fields of the same names, for the conversions between the
//! JS shapes and the core's types.

/// `move_fields!(Target from value { rest } [a, b, …])`: `Target { a: value.a, b: value.b, …, rest }`.
///
/// Each pair of types lists its unchanged fields once, in a macro of its own that calls this one
/// (`book_fields!`, `result_fields!`), and both conversions of the pair use that list; `rest`
/// holds the fields that change type on the way.
macro_rules! move_fields {
    ($Target:ident from $from:ident { $($rest:tt)* } [$($field:ident),* $(,)?]) => {
        $Target { $($field: $from.$field,)* $($rest)* }
    };
}

pub(crate) use move_fields;
