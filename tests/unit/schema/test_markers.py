"""The marker tokenizer: splitting, quoting, escapes, grouping and every malformed input."""

from __future__ import annotations

import pytest

from kro.schema.markers import Marker, MarkerName, parse_markers


def values(text: str) -> list[tuple[str, str]]:
    markers, problems = parse_markers(text)
    assert problems == []
    return [(m.name.value, m.value) for m in markers]


def test_space_separated_markers() -> None:
    assert values(" required=true  default=5\tdescription=x") == [
        ("required", "true"),
        ("default", "5"),
        ("description", "x"),
    ]


def test_empty_section_has_no_markers() -> None:
    assert parse_markers("") == ([], [])
    assert parse_markers("   ") == ([], [])


def test_quoted_value_keeps_spaces_and_unescapes() -> None:
    assert values(r'description="say \"hi\" to C:\\dir"') == [("description", 'say "hi" to C:\\dir')]


def test_other_backslashes_are_kept_as_written() -> None:
    assert values(r'pattern="^\d+\.\w$"') == [("pattern", r"^\d+\.\w$")]


def test_only_first_equals_splits() -> None:
    assert values("validation=self==oldSelf") == [("validation", "self==oldSelf")]
    assert values('validation="self.a == 1 && self.b != 2"') == [("validation", "self.a == 1 && self.b != 2")]


def test_brackets_group_values_with_spaces() -> None:
    assert values('default={"a": [1, 2], "b": "x y"} required=true') == [
        ("default", '{"a": [1, 2], "b": "x y"}'),
        ("required", "true"),
    ]
    assert values("default=[1, 2, 3]") == [("default", "[1, 2, 3]")]


def test_brackets_inside_quotes_do_not_group() -> None:
    assert values('description="a [b" enum=x') == [("description", "a [b"), ("enum", "x")]


def test_quote_in_middle_is_kept() -> None:
    assert values('description=foo"bar baz"') == [("description", 'foo"bar baz"')]


def test_empty_value_is_allowed() -> None:
    assert values("default=") == [("default", "")]
    assert values('default=""') == [("default", "")]


def test_repeatable_markers() -> None:
    got = values("listMapKey=a listMapKey=b validation=x validation=y")
    assert got == [("listMapKey", "a"), ("listMapKey", "b"), ("validation", "x"), ("validation", "y")]


def test_marker_dataclass() -> None:
    assert parse_markers("required=true")[0] == [Marker(MarkerName.REQUIRED, "true")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("requierd=true", "unknown marker 'requierd' (did you mean 'required'?)"),
        ("minlength=3", "did you mean 'minLength'?"),
        ("ListType=set", "did you mean 'listType'?"),
        ("bogus=1", "valid markers are: default, description"),
        ("required", "marker 'required' has no value"),
        ("required = true", "has no value"),
        ("=5", "empty name"),
        ('description="unterminated', "unclosed double quote"),
        ("default={", "unclosed '{' or '['"),
        ("default=}", "unmatched closing '}'"),
        ("required=true required=false", "marker 'required' is given more than once"),
    ],
)
def test_malformed_markers_are_reported(text: str, fragment: str) -> None:
    _, problems = parse_markers(text)
    assert any(fragment in p for p in problems), problems


def test_all_problems_reported_and_good_markers_kept() -> None:
    markers, problems = parse_markers("requierd=true default=3 minimun=1")
    assert [m.name for m in markers] == [MarkerName.DEFAULT]
    assert len(problems) == 2
