"""The docs tests' own rules: how sessions and markers are read, and what counts as drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.sessions import DocFormatError, matches, normalize, parse_document

DOC = '''# A page

```console
$ kro validate -f a.yaml \\
    -o json
[]
$ echo $?
0
```

<!-- docs-test: skip reason="needs a real cluster" -->

```console
$ helm install kro charts/kro
```

<!-- docs-test: retry=5 setup
kubectl apply -f x.yaml
-->
```console
$ cat > f.yaml <<'EOF'
a: 1
EOF
$ kubectl get cm
```

```yaml
not: a session
```
'''


def test_sessions_commands_outputs_and_markers_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(DOC)
    first, skipped, third = parse_document(page)
    assert [c.text for c in first.commands] == ["kro validate -f a.yaml \\\n    -o json", "echo $?"]
    assert first.commands[0].expected == ("[]",) and first.commands[0].line == 4
    assert skipped.skip == "needs a real cluster" and skipped.commands == ()
    assert third.retry == 5.0 and third.setup == ("kubectl apply -f x.yaml",)
    assert third.commands[0].text == "cat > f.yaml <<'EOF'\na: 1\nEOF"
    assert third.commands[1].text == "kubectl get cm"


@pytest.mark.parametrize(
    "marker",
    ['<!-- docs-test: skip -->', '<!-- docs-test: skp reason="x" -->', '<!-- docs-test: retyr=3 -->'],
)
def test_a_marker_the_test_cannot_read_is_an_error(tmp_path: Path, marker: str) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"{marker}\n```console\n$ true\n```\n")
    with pytest.raises(DocFormatError, match=r"page\.md:1"):
        parse_document(page)


def test_a_block_with_output_before_its_first_command_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```text\nlog line\n$ kro dev\n```\n")
    with pytest.raises(DocFormatError, match="must start with"):
        parse_document(page)


def test_volatile_parts_are_masked_on_both_sides() -> None:
    doc = "2026-11-22 02:36:30,112 INFO    x: API https://127.0.0.1:46599 uid 3c7dbbd5-7ee9-5901-8642-ee7ade7cdea3"
    now = "2027-01-02 10:00:00,001 INFO    x: API https://127.0.0.1:33151 uid 00000000-1111-2222-3333-444444444444"
    assert normalize(doc) == normalize(now)
    assert matches(["redis   ACTIVE   True   2s"], ["redis   ACTIVE   True    14m3s"])
    assert matches(["kubeconfig: /tmp/kro-dev-9716z_x3/kubeconfig"], ["kubeconfig: /tmp/kro-dev-ab_c/kubeconfig"])


def test_drift_is_caught_and_ellipses_stand_for_what_is_cut() -> None:
    assert not matches(["redis   ACTIVE   True   2s"], ["redis   ERROR   False   2s"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["Message: resource 'x': ..."], ["Message: resource 'x': unknown field 'y'"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert matches(["a"], ["a", "b"], prefix=True)


def test_log_lines_and_command_output_are_compared_as_two_streams() -> None:
    sample = ["started", "2026-11-22 02:36:30,112 INFO    c: one", "  1. created", "2026-11-22 02:36:31,000 INFO    c: two"]
    now = ["started", "  1. created", "2026-12-01 00:00:00,000 INFO    c: one", "2026-12-01 00:00:00,100 INFO    c: two"]
    assert matches(sample, now)
    assert not matches(sample, ["started", "  1. created", "2026-12-01 00:00:00,100 INFO    c: two"])


def test_a_log_excerpt_is_read_as_lines_to_find_in_the_log(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- docs-test: log -->\n```text\n2026-11-22 02:37:13,466 INFO    x: one\n\n...\n```\n")
    (block,) = parse_document(page)
    assert block.commands == () and block.log == ("2026-11-22 02:37:13,466 INFO    x: one", "...")
