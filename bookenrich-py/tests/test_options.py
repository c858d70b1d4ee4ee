"""Idiomatic options: `cache=False`, and errors naming the argument and what it accepts."""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

import bookenrich


def test_cache_false_turns_the_cache_off_and_true_keeps_the_default() -> None:
    assert bookenrich.Enricher(cache=False).options()["cache"] == "off"
    assert bookenrich.Enricher(cache=True).options()["cache"] == "memory"
    assert bookenrich.Enricher(cache="off").options()["cache"] == "off"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"cache": 0}, 'cache must be "memory", "off", False, True (in memory) or a path, not int 0'),
        (
            {"sources": "openlibrary"},
            'sources must be a list of source names ("openlibrary", "google", "shelves") and GenreSource objects, '
            "not str 'openlibrary'",
        ),
        ({"sources": 1}, "sources must be a list of source names"),
        ({"rate_limits": [1]}, 'rate_limits must be a dict of requests per second by source, e.g. {"openlibrary": 3'),
        ({"rate_limits": {"openlibrary": "fast"}}, "rate_limits must be a dict of requests per second"),
        ({"concurrency": "lots"}, "concurrency must be a whole number of at least 1, not str 'lots'"),
        ({"concurrency": True}, "concurrency must be a whole number of at least 1, not bool True"),
        ({"offline": "yes"}, "offline must be True or False, not str 'yes'"),
        ({"merge": 1}, 'merge must be "planned", "union" or "first_with_genres", not int 1'),
        ({"request_timeout": "30s"}, "request_timeout must be a number of seconds, not str '30s'"),
        ({"contact": 5}, "contact must be an e-mail address or URL (a str), not int 5"),
        ({"open_library_url": 3}, 'open_library_url must be a URL such as "https://openlibrary.org" (a str), not int 3'),
    ],
)
def test_a_value_of_the_wrong_type_names_the_argument_and_what_it_accepts(arguments: Dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)) as raised:
        bookenrich.Enricher(**arguments)
    assert not re.search(r"\b(Vec|String|PyDict|f64|i64|usize)\b|rust", str(raised.value)), raised.value


def test_none_means_not_given() -> None:
    assert bookenrich.Enricher(cache=None, sources=None, offline=None).options()["sources"] is None
