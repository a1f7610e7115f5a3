"""``${...}`` parsing: standalone vs interpolated, nesting, quotes, escapes, and map keys."""

from __future__ import annotations

import pytest

from kro.graph.template import (
    ExpressionField,
    TemplateProblem,
    TemplateSyntaxError,
    cel_string_literal,
    parse,
    walk_template,
)


def test_plain_string_has_no_expressions() -> None:
    parsed = parse("redis:7-alpine")
    assert not parsed.has_expressions and not parsed.standalone


def test_exactly_one_expression_is_standalone() -> None:
    parsed = parse("${schema.spec.replicas}")
    assert parsed.standalone
    assert parsed.to_cel() == "schema.spec.replicas"


def test_whitespace_around_the_expression_makes_it_interpolated() -> None:
    parsed = parse(" ${schema.spec.replicas}")
    assert not parsed.standalone
    assert parsed.to_cel() == '" " + (schema.spec.replicas)'


def test_interpolation_rewrites_into_concatenation() -> None:
    parsed = parse("${schema.metadata.name}-config-${schema.spec.tier}")
    assert [s.text for s in parsed.expressions] == ["schema.metadata.name", "schema.spec.tier"]
    assert parsed.to_cel() == '(schema.metadata.name) + ("-config-" + (schema.spec.tier))'


def test_braces_inside_double_quoted_literals_do_not_close_the_expression() -> None:
    parsed = parse('${"}" + schema.x}')
    assert parsed.standalone and parsed.to_cel() == '"}" + schema.x'


def test_escaped_quote_inside_a_literal_keeps_the_literal_open() -> None:
    parsed = parse('${"a\\"}" + x}')
    assert parsed.standalone and parsed.to_cel() == '"a\\"}" + x'


def test_map_literals_balance_braces() -> None:
    parsed = parse("${{'a': {'b': 1}}.a}")
    assert parsed.standalone and parsed.to_cel() == "{'a': {'b': 1}}.a"


def test_quoted_nested_marker_is_a_literal() -> None:
    parsed = parse('${"${VAR}"}')
    assert parsed.standalone and parsed.to_cel() == '"${VAR}"'


def test_unquoted_nested_marker_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="nested") as e:
        parse("${a + ${b}}")
    assert e.value.offset == 6


def test_unterminated_expression_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="no matching") as e:
        parse("abc-${schema.spec.name")
    assert e.value.offset == 4


def test_empty_expression_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="empty"):
        parse("x-${ }")


def test_literal_text_is_escaped_for_cel() -> None:
    parsed = parse('say "hi"\\\n\t${x}')
    assert parsed.to_cel() == '"say \\"hi\\"\\\\\\n\\t" + (x)'


def test_cel_string_literal_escapes_control_characters() -> None:
    assert cel_string_literal("a\x01b") == '"a\\x01b"'


def test_dollar_without_brace_is_literal() -> None:
    assert not parse("$(MAXMEMORY) costs $5").has_expressions


def test_walk_yields_paths_for_values_in_maps_and_lists() -> None:
    template = {
        "metadata": {"name": "${schema.metadata.name}"},
        "spec": {"ports": [{"port": 80}, {"name": "p-${schema.spec.x}"}]},
    }
    found = list(walk_template(template, ("template",)))
    assert [f.path for f in found] == [
        ("template", "metadata", "name"),
        ("template", "spec", "ports", 1, "name"),
    ]
    assert all(isinstance(f, ExpressionField) for f in found)


def test_walk_reports_expressions_in_keys_and_bad_syntax() -> None:
    found = [
        f
        for f in walk_template({"data": {"${schema.spec.key}": "v", "ok": "x-${a"}})
        if isinstance(f, TemplateProblem)
    ]
    assert [f.path for f in found] == [("data", "${schema.spec.key}"), ("data", "ok")]
    assert "map keys" in found[0].message
    assert "no matching" in found[1].message and found[1].offset == 2
