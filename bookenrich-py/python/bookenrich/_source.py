"""Genre sources written in Python: the :class:`GenreSource` base class.

A source is any object with ``name``, optionally ``batch_size`` and ``rate_limit``, and a
``lookup(books, fetch)`` method, plain or ``async``; subclassing :class:`GenreSource` only adds
the defaults and the documentation. Pass it in ``Enricher(sources=[...])`` among the built-in
names, in the order the engine should ask them.
"""

# No import here: `import bookenrich` must stay light (tests/test_import.py); the types are in
# _source.pyi.


class GenreSource:
    """A catalogue of your own, looked up by the engine like the built-in ones.

    ``name`` names it in results (``genres_by_source``, ``genre_sources``), progress, summaries
    and ``rate_limits``. ``batch_size`` is how many books one ``lookup`` call may take (books
    with an ISBN are batched; books without one come one per call). ``rate_limit`` is the
    requests per second its ``fetch`` may send, unless ``Enricher(rate_limits=...)`` says
    otherwise.

    ``lookup(books, fetch)`` gets a list of :class:`BookInfo` (``title``, ``author``, the
    validated ``isbn13`` when there is one, ``bookshelves``) and returns one result per book, in
    order, or ``None`` for "none found"; it may be ``async``. Raising fails this source's answers
    for these books only, with the exception's type and message in their ``failures``.
    ``fetch.get_json(url, headers=...)`` is the engine's own fetcher: the rate limit, retries,
    ``Retry-After``, the response cache, size caps, counters and progress apply to it. In an
    ``async`` lookup, ``await`` it.
    """

    name = ""
    batch_size = 1
    rate_limit = 1.0

    def lookup(self, books, fetch):  # typed in _source.pyi
        """One result per book of ``books``, in order (see the class documentation)."""
        raise NotImplementedError(f"{type(self).__name__} must implement lookup(books, fetch)")


def _settle(future, ok, value):  # typed in _source.pyi
    """Completes an awaited request on the lookup's event loop (called there by the engine)."""
    if future.done():  # cancelled meanwhile: nobody is waiting
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
