"""Types of bookenrich._source (kept out of the module so `import bookenrich` stays light)."""

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Optional, Union

from typing_extensions import TypeAlias

from bookenrich._bookenrich import BookInfo, Fetch

#: What ``lookup`` may give for one book: ``None`` (not found), an exception (this book failed),
#: a list of raw genre strings, or a mapping with ``genres`` and optionally ``thumbnail_url``,
#: ``small_thumbnail_url`` and ``identifiers``.
LookupResult: TypeAlias = Union[None, BaseException, Sequence[str], Mapping[str, Any]]
#: What ``lookup`` returns: one result per book, or ``None``; awaitable for an ``async`` lookup.
LookupResults: TypeAlias = Union[
    Optional[Sequence[LookupResult]], Awaitable[Optional[Sequence[LookupResult]]]
]

class GenreSource:
    name: str
    batch_size: int
    rate_limit: float
    def lookup(self, books: list[BookInfo], fetch: Fetch) -> LookupResults: ...

def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None: ...
