"""Breaking changes between two versions of a topic's JSON Schema, and the CI gate
`python -m hssk_contracts.compat BASE_REF` that checks the schemas committed at a git ref.

Breaking: a field readers use is removed, retyped or no longer required; a value, option or
unknown field producers send is refused; a field is newly required. Adding optional fields or
enum values and widening types are additive: they stay in v1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_contracts.schemas import CONTRACTS_DIR, path_for, schema_for

Schema = dict[str, Any]
Seen = frozenset[tuple[str | None, str | None]]

# Every JSON integer is a number, so a new "number" still accepts an old "integer".
_STILL_ACCEPTED_AS = {"integer": {"integer", "number"}}


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every way `new` breaks consumers or producers of `old`, one line each, with a JSON path."""
    return _Diff(old, new).compare(old, new, "$", frozenset())


def _resolve(node: Any, root: Schema) -> Schema:
    """Follow local `#/$defs/...` refs (and single-item allOf wrappers) to the schema they name."""
    if not isinstance(node, dict):
        return {}  # boolean schemas: `true` accepts anything, so nothing to compare below it
    while "$ref" in node or len(node.get("allOf", [])) == 1:
        rest = {k: v for k, v in node.items() if k not in ("$ref", "allOf")}
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
        else:
            target = node["allOf"][0]
        node = {**target, **rest}
    return node


def _ref(node: Any) -> str | None:
    return node.get("$ref") if isinstance(node, dict) else None


def _types(node: Schema) -> set[str] | None:
    declared = node.get("type")
    return {declared} if isinstance(declared, str) else None if declared is None else set(declared)


def _values(node: Schema) -> list[Any] | None:
    return [node["const"]] if "const" in node else node.get("enum")


def _scalar_changes(old: Schema, new: Schema, path: str) -> list[str]:
    out = []
    old_types, new_types = _types(old), _types(new)
    if new_types is not None:
        if old_types is None:
            out.append(f"{path}: type narrowed from any to {sorted(new_types)}")
        elif lost := sorted(t for t in old_types if not _STILL_ACCEPTED_AS.get(t, {t}) & new_types):
            out.append(
                f"{path}: type changed from {sorted(old_types)} to {sorted(new_types)}"
                f" ({', '.join(lost)} no longer allowed)"
            )
    old_values, new_values = _values(old), _values(new)
    if new_values is not None:
        if old_values is None:
            out.append(f"{path}: narrowed to the values {new_values}")
        elif lost_values := [v for v in old_values if v not in new_values]:
            out.append(f"{path}: values removed: {lost_values}")
    if "format" in new and old.get("format") != new["format"]:
        out.append(f"{path}: format changed from {old.get('format')} to {new['format']}")
    return out


class _Diff:
    """Walks two schemas side by side; each keeps its own root for resolving its refs."""

    def __init__(self, old_root: Schema, new_root: Schema):
        self.old_root, self.new_root = old_root, new_root

    def compare(self, old: Any, new: Any, path: str, seen: Seen) -> list[str]:
        refs = (_ref(old), _ref(new))
        if refs != (None, None):
            if refs in seen:  # a recursive model already being compared further up this path
                return []
            seen = seen | {refs}
        old, new = _resolve(old, self.old_root), _resolve(new, self.new_root)
        if any(k in node for node in (old, new) for k in ("anyOf", "oneOf")):
            return self.options(old, new, path, seen)
        return (
            _scalar_changes(old, new, path)
            + self.properties(old, new, path, seen)
            + self.items(old, new, path, seen)
        )

    def options(self, old: Schema, new: Schema, path: str, seen: Seen) -> list[str]:
        """Each old option must still be accepted by some new option; report the closest miss."""
        out: list[str] = []
        new_options = new.get("anyOf") or new.get("oneOf") or [new]
        for option in old.get("anyOf") or old.get("oneOf") or [old]:
            closest = min(
                (self.compare(option, candidate, path, seen) for candidate in new_options), key=len
            )
            if closest and len(new_options) > 1:
                shown = _resolve(option, self.old_root)
                name = shown.get("title") or _values(shown) or shown.get("type") or "schema"
                out.append(f"{path}: option {name} is no longer accepted as it was")
            out += closest
        return out

    def properties(self, old: Schema, new: Schema, path: str, seen: Seen) -> list[str]:
        out = []
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        for name, old_prop in old_props.items():
            if name in new_props:
                out += self.compare(old_prop, new_props[name], f"{path}.{name}", seen)
            else:
                out.append(f"{path}.{name}: property removed")
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        out += [
            f"{path}.{name}: property newly required"
            for name in sorted(new_required - old_required)
        ]
        # A reader of a formerly required field has never had to cope with its absence.
        out += [
            f"{path}.{name}: property no longer required"
            for name in sorted(old_required - new_required)
            if name in new_props
        ]
        was_open = old.get("additionalProperties", True) is not False
        if was_open and new.get("additionalProperties") is False:
            out.append(f"{path}: additionalProperties turned false (unknown fields now refused)")
        return out

    def items(self, old: Schema, new: Schema, path: str, seen: Seen) -> list[str]:
        if "items" not in old or "items" not in new:
            return []
        return self.compare(old["items"], new["items"], f"{path}[*]", seen)


# ---- CI gate ------------------------------------------------------------------------------------
def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
    )


def breaks_since(ref: str, contracts_dir: Path, current: dict[str, Schema]) -> list[str] | None:
    """Breaking changes from the schemas committed under `contracts_dir`/schemas at `ref` to
    `current` (file name -> schema); None when `ref` does not exist (e.g. before the first commit).
    A schema that did not exist at `ref` is a new topic, which breaks nobody."""
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=contracts_dir).returncode:
        return None
    # Paths given to ls-tree and `REF:./path` are relative to cwd, wherever the repo root is.
    listing = _git("ls-tree", "--name-only", ref, "--", "schemas/", cwd=contracts_dir).stdout
    breaks = []
    for name in sorted(Path(n).name for n in listing.splitlines() if n.endswith(".json")):
        if name not in current:
            breaks.append(f"{name}: topic removed (its consumers lose it)")
            continue
        old = json.loads(_git("show", f"{ref}:./schemas/{name}", cwd=contracts_dir).stdout)
        breaks += [f"{name} {line}" for line in breaking_changes(old, current[name])]
    return breaks


def schemas_at(ref: str, contracts_dir: Path) -> dict[str, Schema]:
    listing = _git("ls-tree", "--name-only", ref, "--", "schemas/", cwd=contracts_dir).stdout
    return {
        Path(n).name: json.loads(_git("show", f"{ref}:./{n}", cwd=contracts_dir).stdout)
        for n in listing.splitlines()
        if n.endswith(".json")
    }


def breaks_in_history(contracts_dir: Path) -> list[str]:
    """Every commit that changed the committed schemas, checked against its parent: by
    induction no commit on the branch has ever broken a published v1 schema."""
    log = _git("log", "--format=%H", "--", "schemas/", cwd=contracts_dir).stdout.split()
    breaks = []
    for commit in log:
        found = breaks_since(f"{commit}~1", contracts_dir, schemas_at(commit, contracts_dir))
        breaks += [f"{commit[:10]}: {line}" for line in found or []]
    return breaks


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m hssk_contracts.compat BASE_REF | --history", file=sys.stderr)
        return 2
    ref = argv[0]
    current = {path_for(topic).name: schema_for(topic) for topic in EVENTS_BY_TOPIC}
    breaks: list[str] | None
    if ref == "--history":
        breaks = breaks_in_history(CONTRACTS_DIR) + (
            breaks_since("HEAD", CONTRACTS_DIR, current) or []
        )
        ref = "any commit (and HEAD to the working tree)"
    else:
        breaks = breaks_since(ref, CONTRACTS_DIR, current)
    if breaks is None:
        print(f"note: git ref {ref!r} does not exist (first commit?); nothing to compare against")
        return 0
    for line in breaks:
        print(line)
    if breaks:
        print(
            f"{len(breaks)} breaking change(s) since {ref}: "
            "keep v1 additive, or publish the change on a new .v2 topic"
        )
        return 1
    print(f"no breaking changes to contracts/schemas since {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
