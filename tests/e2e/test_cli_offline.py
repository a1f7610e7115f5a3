"""The offline commands end to end: ``kro validate`` accepts every example and rejects broken RGDs
with located messages; ``generate crd``, ``render`` and ``graph`` produce what a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kro import __version__
from kro.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HEAD = """\
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: demo
spec:
  schema:
    apiVersion: v1alpha1
    kind: Demo
    spec:
      name: string | default=demo
      replicas: integer | default=1
  resources:
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def write(tmp_path: Path, resources: str, head: str = HEAD) -> str:
    path = tmp_path / "rgd.yaml"
    path.write_text(head + resources)
    return str(path)


@pytest.mark.parametrize(
    "files",
    [
        ["redis/rgd.yaml"],
        ["microservice/rgd.yaml"],
        ["sharded-redis/rgd.yaml"],
        ["webapp/rgd.yaml"],
        ["database-application/database-rgd.yaml", "database-application/rgd.yaml"],
    ],
)
def test_every_example_validates(files: list[str]) -> None:
    args = [a for f in files for a in ("-f", str(EXAMPLES / f))]
    code, out = run("validate", *args)
    assert code == 0, out
    assert out.count("✓") == len(files)


def test_graph_validate_is_the_same_check() -> None:
    code, out = run("graph", "validate", "-f", str(EXAMPLES / "redis" / "rgd.yaml"))
    assert code == 0 and "config → statefulset → headless → client" in out


def test_output_is_never_wrapped_when_not_a_terminal(tmp_path: Path) -> None:
    code, out = run("validate", "-f", str(EXAMPLES / "redis" / "rgd.yaml"))
    (line,) = out.splitlines()
    assert code == 0 and line.startswith("✓ ")
    assert line.endswith("order: config → statefulset → headless → client")
    bad = tmp_path / ("a-rather-long-directory-name-" * 3) / "broken.yaml"
    bad.parent.mkdir()
    bad.write_text("a: [1, 2\nb: c\n")
    code, out = run("validate", "-f", str(bad))
    (line,) = out.splitlines()
    assert code == 1 and line.startswith(f"error: {bad}:") and "invalid YAML" in line


CASES = {
    "cycle": (
        """\
    - id: first
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${second.metadata.name}-a
    - id: second
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${first.metadata.name}-b
""",
        (13, 7),
        "graph contains a cycle: first -> second -> first",
    ),
    "unknown field": (
        """\
    - id: app
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        spec:
          replicas: 1
          replics: 2
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers: [{name: c, image: nginx}]
""",
        (21, 11),  # the key, not its value
        "unknown field 'replics' in spec of apps/v1 Deployment; did you mean 'replicas'?",
    ),
    "int/string mismatch": (
        """\
    - id: app
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        spec:
          replicas: ${schema.spec.name}
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers: [{name: c, image: nginx}]
""",
        (20, 21),
        "type mismatch",
    ),
    "readyWhen on another resource": (
        """\
    - id: config
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cfg
    - id: other
      readyWhen:
        - ${config.metadata.name == "cfg"}
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: other
""",
        (21, 11),
        "readyWhen may reference only 'other', not 'config'",
    ),
    "undefined identifier": (
        """\
    - id: config
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${shema.metadata.name}
""",
        (18, 19),
        "undefined identifier 'shema': did you mean 'schema'?",
    ),
    "duplicate id": (
        """\
    - id: config
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
    - id: config
      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
""",
        (15, 11),
        "duplicate resource id 'config'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_rejects_with_a_located_message(tmp_path: Path, case: str) -> None:
    resources, (line, column), message = CASES[case]
    path = write(tmp_path, resources)
    code, out = run("validate", "-f", path)
    assert code == 1, out
    assert f"{path}:{line}:{column}: error:" in out, out
    assert message in " ".join(out.split()), out
    code, out = run("validate", "-f", path, "-o", "json")
    found = json.loads(out)
    assert code == 1 and len(found) == 1, found
    assert (found[0]["file"], found[0]["line"], found[0]["column"]) == (path, line, column)
    assert set(found[0]) == {"file", "line", "column", "resource", "path", "expression", "message"}


def test_bad_marker_is_located_in_the_schema(tmp_path: Path) -> None:
    head = HEAD.replace("integer | default=1", "integer | defualt=1")
    path = write(tmp_path, "", head)
    code, out = run("validate", "-f", path, "-o", "json")
    (found,) = json.loads(out)
    assert code == 1 and (found["line"], found["column"]) == (11, 17)
    assert found["path"] == "spec.schema.spec.replicas" and "unknown marker 'defualt'" in found["message"]


def test_caret_points_at_the_expression(tmp_path: Path) -> None:
    path = write(tmp_path, CASES["undefined identifier"][0])
    _code, out = run("validate", "-f", path)
    lines = out.splitlines()
    source = next(i for i, line in enumerate(lines) if "${shema" in line)
    assert lines[source + 1].index("^") == lines[source].index("shema")


def test_caret_points_at_an_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, CASES["unknown field"][0])
    _code, out = run("validate", "-f", path)
    lines = out.splitlines()
    source = next(i for i, line in enumerate(lines) if "replics: 2" in line)
    assert lines[source + 1].index("^") == lines[source].index("replics")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate")[0] == 2
    assert run("validate", "-f", str(tmp_path / "missing.yaml"))[0] == 2
    other = tmp_path / "cm.yaml"
    other.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    assert run("validate", "-f", str(other))[0] == 2


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\nb: c\n")
    code, out = run("validate", "-f", str(bad))
    assert code == 1 and f"{bad}:" in out and "invalid YAML" in out


def test_crd_files_teach_kinds(tmp_path: Path) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}
                            },
                        }
                    },
                }
            ],
        },
    }
    path = write(
        tmp_path,
        """\
    - id: widget
      template:
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {size: "${schema.spec.replicas}"}
""",
    )
    code, out = run("validate", "-f", path)
    assert code == 1 and "unknown kind 'Widget'" in out and "pass CRD files with -f" in out
    crd_path = tmp_path / "crd.yaml"
    crd_path.write_text(yaml.safe_dump(crd))
    code, out = run("validate", "-f", str(crd_path), "-f", path)
    assert code == 0, out


def test_generate_crd() -> None:
    code, out = run("generate", "crd", "-f", str(EXAMPLES / "redis" / "rgd.yaml"))
    assert code == 0
    crd = yaml.safe_load(out)
    assert crd["kind"] == "CustomResourceDefinition" and crd["metadata"]["name"] == "redis.kro.run"
    assert crd["metadata"]["labels"]["kro.run/kro-version"] == __version__  # as the controller stamps it
    code, out = run("generate", "crd", "-f", str(EXAMPLES / "redis" / "rgd.yaml"), "-o", "json")
    assert code == 0 and json.loads(out)["spec"]["names"]["kind"] == "Redis"


def _observed(tmp_path: Path, *objects: str) -> str:
    directory = tmp_path / "observed"
    directory.mkdir(exist_ok=True)
    for i, text in enumerate(objects):
        (directory / f"{i}.yaml").write_text(text)
    return str(directory)


def _rendered_with_status(args: list[str], kind: str, status: dict[str, object]) -> str:
    """The object ``render`` gives for ``kind``, as the cluster would show it with ``status``."""
    docs = [d for d in yaml.safe_load_all(run("render", *args)[1]) if d and d["kind"] == kind]
    return yaml.safe_dump({**docs[0], "status": status})


REDIS = ["-f", str(EXAMPLES / "redis" / "rgd.yaml"), "-i", str(EXAMPLES / "redis" / "instance.yaml")]


def test_render_redis_plays_reconciles_forward_until_readiness_is_needed() -> None:
    code, out = run("render", *REDIS)
    assert code == 0, out
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("ConfigMap", "session-cache-config"),
        ("StatefulSet", "session-cache"),
    ]
    assert docs[0]["data"] == {"MAXMEMORY": "512mb", "MAXMEMORY_POLICY": "volatile-lru"}
    labels = docs[1]["metadata"]["labels"]  # the controller's labels, exactly
    assert labels["kro.run/node-id"] == "statefulset" and labels["kro.run/instance-name"] == "session-cache"
    assert "# headless: v1 Service\n#   waits for statefulset: readyWhen" in out
    assert "(not observed; assumed created without status)" in out


def test_render_with_a_ready_observed_dependency_renders_everything(tmp_path: Path) -> None:
    sts = _rendered_with_status(REDIS, "StatefulSet", {"readyReplicas": 1})
    code, out = run("render", *REDIS, "--observed", _observed(tmp_path, sts))
    assert code == 0, out
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs][2:] == [
        ("Service", "session-cache-headless"),
        ("Service", "session-cache"),
    ]
    assert docs[2]["spec"]["selector"] == {"app": "session-cache"} and "waits for" not in out


STS_NOT_READY = (
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: session-cache}\nstatus: {readyReplicas: 0}\n"
)


def test_render_names_the_real_reason_an_observed_dependency_is_not_ready(tmp_path: Path) -> None:
    code, out = run("render", *REDIS, "--observed", _observed(tmp_path, STS_NOT_READY))
    assert code == 0, out
    assert (
        "waits for statefulset: readyWhen `${statefulset.status.readyReplicas >= 1}` is false (observed)"
        in out
    )
    assert "not observed" not in out.split("# headless")[1]


def test_render_applies_defaults_expands_for_each_and_marks_exclusions(tmp_path: Path) -> None:
    inst = tmp_path / "inst.yaml"
    inst.write_text(
        "apiVersion: kro.run/v1alpha1\nkind: ShardedRedis\nmetadata: {name: s, namespace: ns}\nspec: {}\n"
    )
    code, out = run("render", "-f", str(EXAMPLES / "sharded-redis" / "rgd.yaml"), "-i", str(inst))
    assert code == 0, out
    docs = [d for d in yaml.safe_load_all(out) if d and d["kind"] == "StatefulSet"]
    assert [d["metadata"]["name"] for d in docs] == ["s-shard-0", "s-shard-1", "s-shard-2"]  # default 3
    assert [d["metadata"]["labels"]["kro.run/collection-index"] for d in docs] == ["0", "1", "2"]
    inst.write_text(
        "apiVersion: kro.run/v1alpha1\nkind: MicroService\nmetadata: {name: m}\nspec: {image: x}\n"
    )
    args = ["-f", str(EXAMPLES / "microservice" / "rgd.yaml"), "-i", str(inst)]
    deployment = _rendered_with_status(args, "Deployment", {"availableReplicas": 1})
    code, out = run("render", *args, "--observed", _observed(tmp_path, deployment))
    assert code == 0 and "excluded: includeWhen `${schema.spec.enableIngress}` is false" in out
    assert "kind: Ingress" not in out and "kind: HorizontalPodAutoscaler" in out


def test_render_rejects_an_instance_without_required_fields(tmp_path: Path) -> None:
    inst = tmp_path / "inst.yaml"
    inst.write_text("apiVersion: kro.run/v1alpha1\nkind: MicroService\nmetadata: {name: m}\nspec: {}\n")
    code, out = run("render", "-f", str(EXAMPLES / "microservice" / "rgd.yaml"), "-i", str(inst))
    assert code == 1 and "lacks required fields: spec.image" in " ".join(out.split())


def test_render_uses_observed_objects(tmp_path: Path) -> None:
    d = EXAMPLES / "database-application"
    args = ["-f", str(d / "database-rgd.yaml"), "-f", str(d / "rgd.yaml"), "-i", str(d / "instance.yaml")]
    code, out = run("render", *args)
    assert code == 0 and "waits for database: readyWhen `${database.status.ready}`" in out
    assert "kind: Deployment" not in out
    database = (
        "apiVersion: kro.run/v1alpha1\nkind: Database\nmetadata: {name: orders, namespace: default}\n"
        "status: {endpoint: 'db:5432', ready: true}\n"
    )
    code, out = run("render", *args, "--observed", _observed(tmp_path, database))
    assert code == 0 and "value: postgres://db:5432/app" in out and "waits for" not in out


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "svg"])
def test_graph_formats(fmt: str) -> None:
    code, out = run("graph", "-f", str(EXAMPLES / "microservice" / "rgd.yaml"), "--format", fmt)
    assert code == 0, out
    if fmt == "mermaid":
        assert "deployment --> service" in out and "ingress" in out and ":::conditional" in out
    elif fmt == "dot":
        assert '"deployment" -> "service";' in out and "style=dashed" in out
    else:
        assert out.startswith("<svg") and "stroke-dasharray" in out and ">ingress<" in out


def test_loader_positions_per_document() -> None:
    from kro.cli.loader import load_text

    first, second = load_text('a: 1\nb: "quoted"\n---\nc:\n  - when: 2024-01-01\n', file="f.yaml")
    assert first.positions[("b",)] == (2, 5)  # inside the quotes
    assert second.data == {"c": [{"when": "2024-01-01"}]}  # dates stay strings, as in Kubernetes
    assert second.positions[("c", 0, "when")] == (5, 11)


SHARDED = [
    "-f",
    str(EXAMPLES / "sharded-redis" / "rgd.yaml"),
    "-i",
    str(EXAMPLES / "sharded-redis" / "instance.yaml"),
]


def test_render_notes_each_collection_item_with_its_own_state(tmp_path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(run("render", *SHARDED)[1]) if d and d["kind"] == "StatefulSet"]
    ready = yaml.safe_dump({**docs[1], "status": {"readyReplicas": 1}})
    code, out = run("render", *SHARDED, "--observed", _observed(tmp_path, ready))
    assert code == 0, out
    notes = [line for line in out.splitlines() if line.startswith("#   shards")]
    pending = (
        "not ready: readyWhen `${each.status.readyReplicas >= 1}`: each.status.readyReplicas is not set yet"
    )
    assert notes == [f"#   shards[0] {pending}", "#   shards[1] ready", f"#   shards[2] {pending}"]


def test_render_gives_the_instance_a_stable_placeholder_uid_and_says_so() -> None:
    code, out = run("render", *SHARDED)
    assert code == 0, out
    uids = {d["metadata"]["labels"]["kro.run/instance-id"] for d in yaml.safe_load_all(out) if d}
    assert len(uids) == 1 and "" not in uids
    uid = uids.pop()
    assert (
        f"# config: v1 ConfigMap\n#   instance uid {uid} (kro.run/instance-id) is an offline placeholder"
        in out
    )
    assert out.count("offline placeholder") == 1
    assert run("render", *SHARDED)[1] == out  # stable from run to run


def test_render_excludes_a_switched_off_node_before_its_dependencies_are_ready(tmp_path: Path) -> None:
    inst = tmp_path / "inst.yaml"
    inst.write_text(
        "apiVersion: kro.run/v1alpha1\nkind: MicroService\nmetadata: {name: m}\n"
        "spec: {image: x, enableIngress: false}\n"
    )
    code, out = run("render", "-f", str(EXAMPLES / "microservice" / "rgd.yaml"), "-i", str(inst))
    assert code == 0, out
    assert (
        "# ingress: networking.k8s.io/v1 Ingress\n#   excluded: includeWhen `${schema.spec.enableIngress}` is false\n"
        in out
    )
    assert "waits for service" not in out


def test_validate_counts_in_the_right_number(tmp_path: Path) -> None:
    one = "    - id: only\n      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n"
    code, out = run("validate", "-f", write(tmp_path, one))
    assert code == 0 and "(Demo kro.run/v1alpha1): 1 resource; order: only" in out
    code, out = run("validate", "-f", str(EXAMPLES / "redis" / "rgd.yaml"))
    assert code == 0 and ": 4 resources; order:" in out
    broken = (
        "    - id: bad\n      template: {apiVersion: v1, kind: ConfigMap, metadata: {name: '${nope.x}'}}\n"
    )
    code, out = run("validate", "-f", write(tmp_path, broken))
    assert code == 1 and out.rstrip().endswith("demo: 1 problem"), out


GRAPH_OVER_REDIS = """\
apiVersion: kro.dev/v1alpha1
kind: ResourceGraph
metadata:
  name: over-redis
spec:
  root:
    apiGroup: kro.run
    kind: Redis
  children:
    - id: copy
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${root.metadata.name}-copy
"""


@pytest.mark.parametrize("kind_from", ["generated-crd", "rgd"])
def test_a_graph_over_a_kind_an_rgd_generates_is_refused_naming_the_rgd(tmp_path: Path, kind_from: str) -> None:
    graph = tmp_path / "graph.yaml"
    graph.write_text(GRAPH_OVER_REDIS)
    source = str(EXAMPLES / "redis" / "rgd.yaml")
    if kind_from == "generated-crd":  # the CRD as kro registers it, labelled with its RGD
        code, crd = run("generate", "crd", "-f", source)
        assert code == 0, crd
        source = str(tmp_path / "crd.yaml")
        Path(source).write_text(crd)
    code, out = run("graph", "validate", "-f", str(graph), "-f", source)
    assert code == 1, out
    assert f"{graph}:8:11: error: spec.root.kind: root kind Redis (kro.run) belongs to ResourceGraphDefinition 'redis'" in out
    assert "two controllers fight over the same objects" in out
