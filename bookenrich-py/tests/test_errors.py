"""The same bad input gives the same kind, details and field name in every front end.

bookenrich-core/tests/error_kinds.rs, bookenrich-node/test/errors.test.mjs and
bookenrich-cli/tests/enrich.rs check the same cases through their own surfaces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest

import bookenrich


def test_an_export_that_cannot_be_read_past_a_point_is_invalid_input_with_file_and_line(tmp_path: Path) -> None:
    # A directory opens like a file on Linux and fails on the first read.
    with pytest.raises(bookenrich.InvalidInputError) as info:
        bookenrich.read_export(tmp_path)
    assert info.value.file == str(tmp_path)
    assert info.value.line == 1
    assert str(info.value).startswith(f"{tmp_path}: line 1: ")


@pytest.mark.parametrize(("option", "value"), [("concurrency", 0), ("request_timeout", 0)])
def test_an_invalid_option_is_a_config_error_naming_it_as_python_spells_it(option: str, value: int) -> None:
    arguments: Dict[str, Any] = {option: value}
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(**arguments)
    assert info.value.field == option
    assert str(info.value).startswith(f"invalid {option}: ")


def test_a_count_of_zero_reads_as_in_every_front_end() -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(concurrency=0)
    assert str(info.value) == "invalid concurrency: must be a whole number of at least 1, got 0"
