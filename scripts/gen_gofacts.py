"""Write src/kro/openapi/gofacts-v1.32.json: how kube-apiserver's Go types encode each field of the
built-in kinds, which their OpenAPI schemas do not say.

kube-apiserver decodes a built-in object into Go structs and encodes it back, so a value the Go type
cannot tell from "unset" does not come back: a pointer field tagged ``omitempty`` loses a ``null``,
a non-pointer ``bool``/number/string field tagged ``omitempty`` loses its zero value (``hostNetwork: false``, ``minReadySeconds: 0``), a slice or map
tagged ``omitempty`` loses an empty value (``args: []``, ``nodeSelector: {}``), and one without
``omitempty`` comes back ``null`` when empty. A ``resource.Quantity`` comes back in canonical
spelling. The local API server (``kro dev``) encodes the same way, and the controller's drift
check knows that what it asked for holds when the server dropped such a value.

Usage (maintainers, when moving to another Kubernetes version): given local clones of
github.com/kubernetes/api, github.com/kubernetes/apimachinery and
github.com/kubernetes/apiextensions-apiserver (no work tree needed),

    python scripts/gen_gofacts.py --api <api.git> --apimachinery <apimachinery.git> \
        --apiextensions <apiextensions-apiserver.git> --tag v0.32.0

Only facts are read: struct names, field types and their ``json`` tags.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

_NUMBERS = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
            "float32", "float64", "byte", "rune"}  # fmt: skip
_SCALARS = {"string": "s", "bool": "b", **dict.fromkeys(_NUMBERS, "n"), "[]byte": "s", "time.Duration": "n"}
# Types with their own JSON encoding: never dropped by omitempty (Go < 1.24 keeps struct values).
_SPECIAL = {
    ("meta", "Time"): "time", ("meta", "MicroTime"): "time", ("meta", "Duration"): "duration",
    ("intstr", "IntOrString"): "intorstring", ("resource", "Quantity"): "quantity",
    ("runtime", "RawExtension"): "raw", ("runtime", "Object"): "raw", ("meta", "FieldsV1"): "raw",
    ("apiextensions", "JSON"): "raw", ("apiextensions", "JSONSchemaPropsOrArray"): "raw",
    ("apiextensions", "JSONSchemaPropsOrBool"): "raw", ("apiextensions", "JSONSchemaPropsOrStringArray"): "raw",
}  # fmt: skip
_APIEXTENSIONS = "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
_PACKAGES = {
    "k8s.io/apimachinery/pkg/apis/meta/v1": "meta",
    "k8s.io/apimachinery/pkg/util/intstr": "intstr",
    "k8s.io/apimachinery/pkg/api/resource": "resource",
    "k8s.io/apimachinery/pkg/runtime": "runtime",
    "k8s.io/apimachinery/pkg/types": "types",
}
_STRUCT = re.compile(r"^type (\w+) struct \{$")
_NAMED = re.compile(r"^type (\w+) (?:= )?(.+?)\s*(//.*)?$")
_FIELD = re.compile(r"^\t(?:(\w+)\s+)?([\w.\[\]*]+)\s+`([^`]*)`")
_JSON = re.compile(r'json:"([^"]*)"')


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


_KINDS = {"string": "s", "bool": "b", "float32": "f", "float64": "f", "[]byte": "s", "time.Duration": "n",
          **dict.fromkeys(("int", "int8", "int16", "int32", "int64", "rune"), "n"),
          **dict.fromkeys(("uint", "uint8", "uint16", "uint32", "uint64", "byte"), "u")}  # fmt: skip
_GO_NAMES = {"[]byte": "[]uint8", "byte": "uint8", "rune": "int32"}


class Package:
    def __init__(self, key: str, definition_prefix: str) -> None:
        self.key = key
        self.go_name = definition_prefix.rsplit(".", 1)[-1]
        """How Go's reflect prints the package in a type's name (``v1.PodSpec``)."""
        self.prefix = definition_prefix
        self.structs: dict[str, list[tuple[str, str, str]]] = {}  # name -> [(field, type, json tag)]
        self.named: dict[str, str] = {}  # name -> underlying type text
        self.imports: dict[str, dict[str, str]] = {}  # struct -> alias -> package key

    def read(self, text: str, known: dict[str, str]) -> None:
        aliases = _imports(text, known)
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            m = _STRUCT.match(line)
            if m:
                name, fields = m.group(1), []
                i += 1
                while i < len(lines) and lines[i] != "}":
                    f = _FIELD.match(lines[i])
                    if f:
                        fields.append((f.group(1) or "", f.group(2), f.group(3)))
                    i += 1
                self.structs[name] = fields
                self.imports[name] = aliases
            else:
                n = _NAMED.match(line)
                if n and not n.group(2).startswith(("struct", "interface", "(")):
                    self.named[n.group(1)] = n.group(2).strip()
                    self.imports.setdefault(n.group(1), aliases)
            i += 1


def _imports(text: str, known: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for alias, path in re.findall(r'^\s*(\w+\s+)?"([^"]+)"\s*$', text, re.M):
        key = known.get(path)
        if key is None:
            continue
        out[(alias.strip() or path.rsplit("/", 1)[-1])] = key
    return out


class Facts:
    def __init__(self, packages: dict[str, Package]) -> None:
        self.packages = packages
        self.out: dict[str, dict[str, list[str]]] = {}
        self.types: dict[str, dict[str, list[str]]] = {}

    def definition(self, pkg: Package, name: str) -> str:
        return f"{pkg.prefix}.{name}"

    def resolve(self, pkg: Package, owner: str, type_text: str) -> tuple[str, str]:
        """(shape, child) of a Go type: shape scalar|slice|map|struct|special:<k>; child: the
        element's definition name, 'quantity', or '' (for a scalar: s, b or n, its JSON type;
        '' when unknown)."""
        t = type_text.lstrip("*")
        if t in _SCALARS:
            return "scalar", _SCALARS[t]
        if t.startswith("[]"):
            return "slice", self._child(pkg, owner, t[2:])
        if t.startswith("map["):
            return "map", self._child(pkg, owner, t[t.index("]") + 1:])
        target_pkg, name = self._lookup(pkg, owner, t)
        if target_pkg is None:
            return "scalar", ""  # e.g. time.Duration, types.UID: strings and numbers
        special = _SPECIAL.get((target_pkg.key, name))
        if special:
            return f"special:{special}", "quantity" if special == "quantity" else ""
        if name in target_pkg.structs:
            self.struct(target_pkg, name)
            return "struct", self.definition(target_pkg, name)
        underlying = target_pkg.named.get(name)
        if underlying is None:
            return "scalar", ""
        return self.resolve(target_pkg, name, underlying)

    def go_type(self, pkg: Package, owner: str, type_text: str) -> tuple[str, str]:
        """(JSON kind, Go type name as reflect prints it) of a field's type, pointers followed:
        kind s (string), b, n (signed integer), u (unsigned), f (float), o (struct), a<kind>
        (slice of), m<kind> (map of), x (decoded by its own code, or unknown)."""
        t = type_text.lstrip("*")
        if t in _KINDS:
            return _KINDS[t], _GO_NAMES.get(t, t)
        if t.startswith("[]"):
            kind, name = self.go_type(pkg, owner, t[2:])
            return f"a{kind}", f"[]{name}"
        if t.startswith("map["):
            key_text, value_text = t[4:t.index("]")], t[t.index("]") + 1:]
            _, key_name = self.go_type(pkg, owner, key_text)
            kind, name = self.go_type(pkg, owner, value_text)
            return f"m{kind}", f"map[{key_name}]{name}"
        target_pkg, name = self._lookup(pkg, owner, t)
        if target_pkg is None or _SPECIAL.get((target_pkg.key, name)):
            return "x", ""
        qualified = f"{target_pkg.go_name}.{name}"
        if name in target_pkg.structs:
            return "o", qualified
        underlying = target_pkg.named.get(name)
        if underlying is None:
            return "x", ""
        kind, _ = self.go_type(target_pkg, name, underlying)
        return kind, qualified

    def _child(self, pkg: Package, owner: str, t: str) -> str:
        shape, child = self.resolve(pkg, owner, t)
        return child if shape in ("struct", "special:quantity") else ""

    def _lookup(self, pkg: Package, owner: str, t: str) -> tuple[Package | None, str]:
        if "." in t:
            alias, name = t.split(".", 1)
            key = pkg.imports.get(owner, {}).get(alias)
            return (self.packages.get(key) if key else None), name
        return pkg, t

    def struct(self, pkg: Package, name: str) -> None:
        definition = self.definition(pkg, name)
        if definition in self.out:
            return
        fields: dict[str, list[str]] = {}
        self.out[definition] = fields
        types: dict[str, list[str]] = {}
        self.types[definition] = types
        for go_name, type_text, tag in pkg.structs[name]:
            m = _JSON.search(tag)
            json_name, _, options = (m.group(1) if m else go_name).partition(",")
            if json_name == "-":
                continue
            omitempty = "omitempty" in options.split(",")
            if "inline" in options.split(",") or (not go_name and not json_name):
                target_pkg, embedded = self._lookup(pkg, name, type_text.lstrip("*"))
                if target_pkg is not None and embedded in target_pkg.structs:
                    self.struct(target_pkg, embedded)
                    fields.update(self.out[self.definition(target_pkg, embedded)])
                    types.update(self.types[self.definition(target_pkg, embedded)])
                continue
            kind, go_name = self.go_type(pkg, name, type_text)
            if kind != "x":
                types[json_name] = [kind, go_name]
            shape, child = self.resolve(pkg, name, type_text)
            pointer = type_text.startswith("*")
            if pointer:
                omit = "p" if omitempty else ""  # a nil pointer: null is dropped
                if shape == "scalar":
                    child = ""
            elif shape == "scalar":
                omit = f"z{child}" if omitempty and child else ""
                child = ""
            elif shape in ("slice", "map"):
                omit = "e" if omitempty else "n"
            else:
                omit = ""
            if shape == "special:quantity":
                child = "quantity"
            if omit or child:
                fields[json_name] = [omit, child]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--api", required=True)
    ap.add_argument("--apimachinery", required=True)
    ap.add_argument("--apiextensions", required=True)
    ap.add_argument("--tag", default="v0.32.0")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "src/kro/openapi/gofacts-v1.32.json"))
    args = ap.parse_args(argv)
    known = dict(_PACKAGES)
    packages: dict[str, Package] = {}
    api_dirs = sorted({p.rsplit("/", 1)[0] for p in _git(args.api, "ls-tree", "-r", "--name-only", args.tag).split()
                       if re.fullmatch(r"[a-z0-9]+/v\d+(?:(?:alpha|beta)\d+)?/[a-z_]+\.go", p)})  # fmt: skip
    for d in api_dirs:
        group, version = d.split("/")
        known[f"k8s.io/api/{d}"] = d
        packages[d] = Package(d, f"io.k8s.api.{group}.{version}")
    for path, key in _PACKAGES.items():
        prefix = "io.k8s.apimachinery." + path.removeprefix("k8s.io/apimachinery/").replace("/", ".")
        packages[key] = Package(key, prefix)
    groups: dict[str, str] = {}
    for d in api_dirs:
        register = _git(args.api, "show", f"{args.tag}:{d}/register.go") if f"{d}/register.go" in _git(
            args.api, "ls-tree", "-r", "--name-only", args.tag, d) else ""
        m = re.search(r'GroupName = "([^"]*)"', register)
        if m:
            groups[m.group(1)] = f"io.k8s.api.{d.split('/')[0]}"
        for f in _git(args.api, "ls-tree", "--name-only", f"{args.tag}:{d}").split():
            if f.endswith(".go") and not f.endswith("_test.go") and not f.startswith(("zz_", "generated")):
                packages[d].read(_git(args.api, "show", f"{args.tag}:{d}/{f}"), known)
    machinery_tag = args.tag
    for path, key in _PACKAGES.items():
        d = path.removeprefix("k8s.io/apimachinery/")
        for f in _git(args.apimachinery, "ls-tree", "--name-only", f"{machinery_tag}:{d}").split():
            if f.endswith(".go") and not f.endswith("_test.go") and not f.startswith(("zz_", "generated")):
                packages[key].read(_git(args.apimachinery, "show", f"{machinery_tag}:{d}/{f}"), known)
    known[_APIEXTENSIONS] = "apiextensions"
    packages["apiextensions"] = Package("apiextensions", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1")
    groups["apiextensions.k8s.io"] = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions"
    d = "pkg/apis/apiextensions/v1"
    for f in _git(args.apiextensions, "ls-tree", "--name-only", f"{args.tag}:{d}").split():
        if f.startswith("types") and f.endswith(".go"):
            packages["apiextensions"].read(_git(args.apiextensions, "show", f"{args.tag}:{d}/{f}"), known)
    facts = Facts(packages)
    for key, pkg in packages.items():
        if key in _PACKAGES.values() and key != "meta":
            continue
        for name in pkg.structs:
            facts.struct(pkg, name)
    data = {k: v for k, v in sorted(facts.out.items()) if v}
    types = {k: v for k, v in sorted(facts.types.items()) if v}
    document = {"tag": args.tag, "groups": dict(sorted(groups.items())), "definitions": data, "types": types}
    Path(args.out).write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {len(data)} definitions to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
