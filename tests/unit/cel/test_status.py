"""Reading the engine's failure reports into codes, positions and kinds."""

from __future__ import annotations

from kro.cel.status import compile_issues, parse_status


def test_status_code_and_message_are_split() -> None:
    status = parse_status('NOT_FOUND: Key not found in map : "a"')
    assert (status.code, status.message) == ("NOT_FOUND", 'Key not found in map : "a"')
    assert status.is_pending and not status.is_limit


def test_trailer_is_dropped_and_unknown_text_is_unknown() -> None:
    assert (
        parse_status("INTERNAL: Iteration budget exceeded [INTERNAL]").message == "Iteration budget exceeded"
    )
    assert parse_status("something odd").code == "UNKNOWN"


def test_compile_report_gives_one_issue_per_error_with_position() -> None:
    report = (
        "INVALID_ARGUMENT: ERROR: <input>:1:20: undeclared reference to 'seededString' (in container '')\n"
        " | random.seededString(1)\n"
        " | ...................^\n"
        "ERROR: <input>:2:3: found no matching overload for '_+_'\n"
        " | x\n"
        " | ..^ [INVALID_ARGUMENT]"
    )
    issues = compile_issues(parse_status(report))
    assert [(i.line, i.column) for i in issues] == [(1, 20), (2, 3)]
    assert issues[0].undeclared_name == "seededString"
    assert issues[1].undeclared_name is None


def test_limits_are_recognised() -> None:
    assert parse_status("CANCELLED: Expression recursion limit exceeded. limit: 32 [CANCELLED]").is_limit
    parse_limit = parse_status(
        "INVALID_ARGUMENT: ERROR: <input>:-1:-1: Exceeded max recursion depth of 32 when parsing. [INVALID_ARGUMENT]"
    )
    assert parse_limit.is_limit
    assert compile_issues(parse_limit)[0].line is None


def test_real_errors_are_not_pending() -> None:
    assert not parse_status("INVALID_ARGUMENT: divide by zero").is_pending
    assert not parse_status("OUT_OF_RANGE: integer overflow").is_pending
    assert parse_status("UNKNOWN: Index error: index=3 size=1").is_pending
