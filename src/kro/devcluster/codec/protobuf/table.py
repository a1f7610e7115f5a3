"""The field table of Kubernetes' protobuf messages (``k8s_messages.json``, written by
``scripts/generate_protobuf_table.py`` from the published ``generated.proto`` files and Go types).

Each :class:`Field` says where a message field sits on the wire and how it renders in JSON, the way
Go's ``encoding/json`` renders the Go struct the message decodes into.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

SCALARS = frozenset({"string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64"})


_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_META_KINDS = {k: _META + k for k in ("DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions", "Status")}


@dataclass(frozen=True)
class Field:
    number: int
    json: str
    label: str  # "optional", "repeated" or "map"
    type: str  # a scalar name or a fully-qualified message name
    key_type: str = ""  # maps only
    pointer: bool = False
    omitempty: bool = False
    omitzero: bool = False
    inline: bool = False

    @property
    def repeated(self) -> bool:
        return self.label == "repeated"

    @property
    def is_map(self) -> bool:
        return self.label == "map"

    @property
    def scalar(self) -> bool:
        return self.type in SCALARS


@dataclass(frozen=True)
class Table:
    messages: dict[str, tuple[Field, ...]]
    kinds: dict[str, str]  # "apps/v1/Deployment" -> message name
    arrays: frozenset[str]  # messages that wrap a Go slice (JSON arrays)

    def message_for_kind(self, api_version: str, kind: str) -> str | None:
        found = self.kinds.get(f"{api_version}/{kind}")
        if found is None and kind in _META_KINDS:
            # Options kinds are registered in every group version (client-go sends them so).
            return _META_KINDS[kind]
        return found

    def fields(self, message: str) -> tuple[Field, ...]:
        return self.messages.get(message, ())


def _field(row: list[object]) -> Field:
    number, _proto_name, json_name, label, type_name, flags = row
    label_s, flags_s = str(label), str(flags)
    key = ""
    if label_s.startswith("map:"):
        label_s, key = "map", label_s[4:]
    return Field(
        number=int(str(number)),
        json=str(json_name),
        label=label_s,
        type=str(type_name),
        key_type=key,
        pointer="p" in flags_s,
        omitempty="e" in flags_s,
        omitzero="z" in flags_s,
        inline="i" in flags_s,
    )


@functools.cache
def kubernetes_table() -> Table:
    raw = json.loads(resources.files(__package__).joinpath("k8s_messages.json").read_text())
    messages = {name: tuple(_field(row) for row in rows) for name, rows in raw["messages"].items()}
    kinds = dict(raw["kinds"])
    # A list kind is its item kind's message plus "List" (PodList, DeploymentList, ...).
    for key, message in list(kinds.items()):
        if message + "List" in messages:
            kinds.setdefault(key + "List", message + "List")
    return Table(messages, kinds, frozenset(raw["arrays"]))
