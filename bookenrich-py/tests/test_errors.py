"""The exception hierarchy, and panics turned into exceptions."""

from __future__ import annotations

import pytest

import bookenrich
from bookenrich import _bookenrich


def test_hierarchy() -> None:
    base = bookenrich.BookEnrichError
    assert issubclass(base, Exception)
    for cls in (
        bookenrich.InvalidInputError,
        bookenrich.ConfigError,
        bookenrich.SourceError,
        bookenrich.CacheError,
        bookenrich.CancelledError,
        bookenrich.InternalError,
    ):
        assert issubclass(cls, base), cls
        assert cls.__module__ == "bookenrich"
    assert issubclass(bookenrich.MissingColumnsError, bookenrich.InvalidInputError)
    assert bookenrich.InvalidInputError.__doc__


def test_a_rust_panic_becomes_internal_error() -> None:
    with pytest.raises(bookenrich.InternalError) as info:
        _bookenrich._debug_panic("boom at the seam")
    assert str(info.value) == "internal error in bookenrich (please report it): boom at the seam"
    # Catchable as a plain Exception: PyO3's PanicException (a BaseException) would not be.
    assert isinstance(info.value, Exception)


def test_config_error_names_the_field() -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(open_library_url="ftp://example.org")
    assert info.value.field == "open_library_url"
    assert str(info.value) == (
        'invalid open_library_url: "ftp://example.org" must start with https:// (or http:// for a local server)'
    )
