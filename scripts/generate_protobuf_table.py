#!/usr/bin/env python3
"""Derive the Kubernetes protobuf field table the local API server's protobuf codec reads.

Kubernetes' protobuf encoding is described by the ``generated.proto`` files of k8s.io/api,
k8s.io/apimachinery and k8s.io/apiextensions-apiserver (message and field numbers) together with the
Go struct tags of the same types (the JSON name of each field, ``omitempty``/``omitzero``, whether
the field is a pointer, whether it is inlined into its parent's JSON). This script reads both from
snapshots of those repositories and writes one JSON table:

    messages: {"k8s.io.api.apps.v1.Deployment": [[number, proto name, json name, label, type,
                                                   flags], ...], ...}
    kinds:    {"apps/v1/Deployment": "k8s.io.api.apps.v1.Deployment", ...}
    arrays:   [names of messages that wrap a Go slice and render as a JSON array]

``label`` is ``optional``, ``repeated`` or ``map:<key type>``; ``type`` a scalar (``string``,
``int32``, ``int64``, ``bool``, ``bytes``, ``double``, ``float``) or a fully-qualified message name;
``flags`` a string of letters: ``p`` pointer, ``e`` omitempty, ``z`` omitzero, ``i`` inlined.

With ``--gnostic DIR`` it also writes the messages of gnostic's OpenAPI v2 and v3 models (the
protobuf encodings of ``/openapi/v2`` and ``/openapi/v3``) to ``codec/openapi/openapi_v*_messages.json``.

Usage (a snapshot is a git directory, bare or not, or a plain checkout):

    python scripts/generate_protobuf_table.py --api DIR --apimachinery DIR --apiextensions DIR \\
        [--gnostic DIR] [--out src/kro/devcluster/codec/protobuf/k8s_messages.json]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/kro/devcluster/codec/protobuf/k8s_messages.json"
DEFAULT_OPENAPI_OUT = Path(__file__).resolve().parent.parent / "src/kro/devcluster/codec/openapi"

# (repository, package directory) pairs: every GA group version of k8s.io/api, the apimachinery
# packages objects are built from, and the CRD API.
_APIMACHINERY = ("pkg/apis/meta/v1", "pkg/runtime", "pkg/runtime/schema", "pkg/util/intstr", "pkg/api/resource")
_APIEXTENSIONS = ("pkg/apis/apiextensions/v1",)
_GA = re.compile(r"^[a-z]+/v[0-9]+$")

_MESSAGE = re.compile(r"^message (\w+) \{$")
_FIELD = re.compile(r"^\s*(optional|repeated) ([\w.]+) (\w+) = (\d+);")
_MAP = re.compile(r"^\s*map<(\w+), ([\w.]+)> (\w+) = (\d+);")
_PACKAGE = re.compile(r"^package ([\w.]+);", re.M)
_STRUCT = re.compile(r"^type (\w+) struct \{$")
_SLICE_TYPE = re.compile(r"^type (\w+) \[\]")
_GO_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.*\[\]]+)\s+`([^`]*)`")
_TAG = re.compile(r'(\w+):"([^"]*)"')
_GROUP_NAME = re.compile(r'^const GroupName = "([^"]*)"', re.M)
_SCALARS = {"string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64", "sint32", "sint64"}


class Snapshot:
    """Files of one repository at its HEAD (a git directory) or on disk (a checkout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git = (path / "HEAD").is_file() or (path / ".git").exists()

    def _git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True).stdout

    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").strip() if self.git else ""

    def files(self, directory: str) -> list[str]:
        if self.git:
            return [line for line in self._git("ls-tree", "--name-only", f"HEAD:{directory}").splitlines() if line]
        return sorted(p.name for p in (self.path / directory).iterdir() if p.is_file())

    def dirs(self) -> list[str]:
        if self.git:
            names = self._git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
        else:
            names = [str(p.relative_to(self.path)) for p in self.path.rglob("generated.proto")]
        return sorted({n.rsplit("/", 1)[0] for n in names if n.endswith("/generated.proto")})

    def read(self, name: str) -> str:
        if self.git:
            return self._git("show", f"HEAD:{name}")
        return (self.path / name).read_text()


@dataclass
class GoField:
    json: str
    flags: str


def parse_proto(text: str) -> tuple[str, dict[str, list[list[object]]]]:
    package_match = _PACKAGE.search(text)
    if package_match is None:
        raise ValueError("no package line")
    package = package_match.group(1)
    messages: dict[str, list[list[object]]] = {}
    current: list[list[object]] | None = None
    for line in text.splitlines():
        if line.lstrip().startswith("//"):
            continue
        m = _MESSAGE.match(line)
        if m:
            current = messages.setdefault(m.group(1), [])
            continue
        if line.startswith("}"):
            current = None
            continue
        if current is None:
            continue
        f = _FIELD.match(line)
        if f:
            current.append([int(f.group(4)), f.group(3), f.group(1), _qualify(f.group(2), package)])
            continue
        mp = _MAP.match(line)
        if mp:
            current.append([int(mp.group(4)), mp.group(3), "map:" + mp.group(1), _qualify(mp.group(2), package)])
    return package, messages


def _qualify(type_name: str, package: str) -> str:
    if type_name in _SCALARS:
        return type_name
    if type_name.startswith("."):
        return type_name[1:]
    return f"{package}.{type_name}"


def parse_go(text: str) -> tuple[dict[tuple[str, str], GoField], set[str]]:
    """(struct, protobuf field name) -> JSON facts; and the names of slice types."""
    fields: dict[tuple[str, str], GoField] = {}
    slices = {m.group(1) for m in (_SLICE_TYPE.match(line) for line in text.splitlines()) if m}
    struct: str | None = None
    for line in text.splitlines():
        m = _STRUCT.match(line)
        if m:
            struct = m.group(1)
            continue
        if line.startswith("}"):
            struct = None
            continue
        if struct is None or line.lstrip().startswith("//"):
            continue
        g = _GO_FIELD.match(line)
        if not g:
            continue
        tags = dict(_TAG.findall(g.group(3)))
        proto = tags.get("protobuf")
        if not proto or proto == "-":
            continue
        proto_name = next((p[5:] for p in proto.split(",") if p.startswith("name=")), "")
        json_parts = tags.get("json", "").split(",")
        anonymous = g.group(1) is None
        inline = "inline" in json_parts[1:] or (anonymous and json_parts[0] == "")
        json_name = json_parts[0] or proto_name
        flags = "".join(
            flag
            for flag, on in (
                ("p", g.group(2).startswith("*")),
                ("e", "omitempty" in json_parts[1:]),
                ("z", "omitzero" in json_parts[1:]),
                ("i", inline),
            )
            if on
        )
        fields[(struct, proto_name)] = GoField(json_name, flags)
    return fields, slices


def read_package(snap: Snapshot, directory: str) -> tuple[str, str | None, dict[str, list[list[object]]], set[str]]:
    """A package's proto messages with JSON facts merged in; its group name (None: not an API group)."""
    package, messages = parse_proto(snap.read(f"{directory}/generated.proto"))
    go_fields: dict[tuple[str, str], GoField] = {}
    slices: set[str] = set()
    group: str | None = None
    for name in snap.files(directory):
        if not name.endswith(".go") or name.endswith("_test.go") or name.startswith(("zz_", "generated")):
            continue
        text = snap.read(f"{directory}/{name}")
        found, found_slices = parse_go(text)
        go_fields.update(found)
        slices |= found_slices
        gm = _GROUP_NAME.search(text)
        if gm is not None:
            group = gm.group(1)
    out: dict[str, list[list[object]]] = {}
    for message, fields in messages.items():
        rows: list[list[object]] = []
        for number, proto_name, label, type_name in fields:
            facts = go_fields.get((message, str(proto_name)), GoField(str(proto_name), "e"))
            rows.append([number, proto_name, facts.json, label, type_name, facts.flags])
        out[f"{package}.{message}"] = sorted(rows, key=lambda r: int(str(r[0])))
    arrays = {f"{package}.{m}" for m in messages if m in slices}
    return package, group, out, arrays


def build(api: Snapshot, apimachinery: Snapshot, apiextensions: Snapshot) -> dict[str, object]:
    messages: dict[str, list[list[object]]] = {}
    kinds: dict[str, str] = {}
    arrays: set[str] = set()
    sources: list[tuple[Snapshot, list[str]]] = [
        (api, [d for d in api.dirs() if _GA.match(d)]),
        (apimachinery, list(_APIMACHINERY)),
        (apiextensions, list(_APIEXTENSIONS)),
    ]
    for snap, dirs in sources:
        for directory in dirs:
            _package, group, found, found_arrays = read_package(snap, directory)
            messages.update(found)
            arrays |= found_arrays
            if group is None:
                continue
            version = directory.rsplit("/", 1)[-1]
            prefix = f"{group}/{version}" if group else version
            for name, fields in found.items():
                if any(f[2] == "metadata" for f in fields) and not name.endswith("List"):
                    kinds[f"{prefix}/{name.rsplit('.', 1)[-1]}"] = name
    return {
        "sources": {
            "k8s.io/api": api.commit(),
            "k8s.io/apimachinery": apimachinery.commit(),
            "k8s.io/apiextensions-apiserver": apiextensions.commit(),
        },
        "kinds": dict(sorted(kinds.items())),
        "arrays": sorted(arrays),
        "messages": dict(sorted(messages.items())),
    }


def dump(table: dict[str, object]) -> str:
    """One message per line, so a regenerated table diffs readably."""
    lines = ["{"]
    for key in ("sources", "kinds", "arrays"):
        lines.append(f"{json.dumps(key)}: {json.dumps(table[key], sort_keys=True)},")
    lines.append('"messages": {')
    messages = table["messages"]
    assert isinstance(messages, dict)
    entries = [f"{json.dumps(name)}: {json.dumps(fields, separators=(',', ':'))}" for name, fields in messages.items()]
    lines.append(",\n".join(entries))
    lines.append("}}")
    return "\n".join(lines) + "\n"


_PROTO3_FIELD = re.compile(r"^\s*(repeated )?([\w.]+) (\w+) = (\d+);")


def parse_gnostic(text: str) -> dict[str, list[list[object]]]:
    """gnostic's proto3 OpenAPI models: message -> [[number, proto name, label, type]] (oneof
    members are plain optional fields; the encoder chooses among them)."""
    messages: dict[str, list[list[object]]] = {}
    current: list[list[object]] | None = None
    in_oneof = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        m = _MESSAGE.match(line)
        if m:
            current = messages.setdefault(m.group(1), [])
            continue
        if line.startswith("}"):
            current = None
            continue
        if stripped.startswith("oneof "):
            in_oneof = True
            continue
        if stripped == "}":
            in_oneof = False
            continue
        f = _PROTO3_FIELD.match(line)
        if current is not None and f:
            label = "repeated" if f.group(1) else ("oneof" if in_oneof else "optional")
            current.append([int(f.group(4)), f.group(3), label, f.group(2)])
    return dict(sorted(messages.items()))


def write_gnostic(snap: Snapshot, out_dir: Path) -> None:
    for version in ("v2", "v3"):
        table = {
            "source": {"github.com/google/gnostic-models": snap.commit()},
            "messages": parse_gnostic(snap.read(f"openapi{version}/OpenAPI{version}.proto")),
        }
        lines = ["{", f'"source": {json.dumps(table["source"])},', '"messages": {']
        messages = table["messages"]
        assert isinstance(messages, dict)
        lines.append(",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in messages.items()))
        lines.append("}}")
        (out_dir / f"openapi_{version}_messages.json").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", type=Path, required=True, help="snapshot of k8s.io/api (github.com/kubernetes/api)")
    parser.add_argument("--apimachinery", type=Path, required=True, help="snapshot of k8s.io/apimachinery")
    parser.add_argument("--apiextensions", type=Path, required=True, help="snapshot of k8s.io/apiextensions-apiserver")
    parser.add_argument("--gnostic", type=Path, help="snapshot of github.com/google/gnostic-models (OpenAPI v2/v3 messages)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--openapi-out", type=Path, default=DEFAULT_OPENAPI_OUT)
    args = parser.parse_args(argv)
    if args.gnostic is not None:
        args.openapi_out.mkdir(parents=True, exist_ok=True)
        write_gnostic(Snapshot(args.gnostic), args.openapi_out)
    table = build(Snapshot(args.api), Snapshot(args.apimachinery), Snapshot(args.apiextensions))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump(table))
    messages = table["messages"]
    kinds = table["kinds"]
    assert isinstance(messages, dict) and isinstance(kinds, dict)
    print(f"wrote {args.out}: {len(messages)} messages, {len(kinds)} kinds", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
