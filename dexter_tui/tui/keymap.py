"""Keymap overrides from config, checked before they reach Textual.

Users remap keys by binding id (`[keymap] "issues.resolve" = "x,ctrl+r"`). A typo, a key that a
terminal or tmux would swallow, or two actions of one screen on the same key would make the app
silently misbehave, so each is refused with a message that names the binding and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import _character_to_key

#: tmux prefixes and keys that terminals alias to backspace/tab/enter/… (see KEYMAP.md).
RESERVED_KEYS = frozenset(
    {"ctrl+a", "ctrl+b", "ctrl+h", "ctrl+i", "ctrl+j", "ctrl+m", "ctrl+c", "ctrl+z", "ctrl+s"}
)


def _old_ids(scope: str, prefix: str, *names: str, **renamed: str) -> dict[str, tuple[str, str]]:
    pairs = {**{n: n for n in names}, **renamed}
    return {f"{prefix}.{old}": (scope, f"issue.{new}") for old, new in pairs.items()}


_BOTH = ("resolve", "unresolve", "ignore", "assign", "unassign", "bookmark", "copy_id", "copy_url")

#: binding ids of earlier versions, one per screen -> (the screen, the shared `issue.*` id).
#: A config that still uses one keeps its old meaning: that screen only.
LEGACY_IDS: dict[str, tuple[str, str]] = {
    **_old_ids(
        "IssuesScreen",
        "issues",
        *_BOTH,
        *("resolve_next", "mark_seen", "merge", "delete", "undo", "action_log"),
    ),
    **_old_ids("EventDetailScreen", "event", *_BOTH),
    **_old_ids("ReleaseDetailScreen", "release_detail", "resolve_next", resolve_in="resolve"),
}


class KeymapError(ValueError):
    """An override that cannot be applied; the message says which and why.

    The message does not start with "keymap:": the caller prefixes where the keymap came from,
    which already names it (`config.toml: keymap: 'x' …`, not `keymap: keymap:`).
    """


@dataclass(frozen=True)
class BindingInfo:
    """A binding as declared on a class, for validation and help."""

    scope: str  # the class that declares it
    binding_id: str
    keys: tuple[str, ...]
    description: str


def normalize_key(key: str) -> str:
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def declared_bindings(classes: Iterable[type]) -> list[BindingInfo]:
    """Every binding with an id declared in `BINDINGS` of the given classes."""
    found = []
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.id:
                continue
            keys = tuple(normalize_key(k) for k in binding.key.split(","))
            found.append(BindingInfo(cls.__name__, binding.id, keys, binding.description))
    return found


def validate_keymap(
    overrides: Mapping[str, str],
    bindings: Iterable[BindingInfo],
    legacy: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, str]:
    """Check `overrides` (binding id -> comma-separated keys); return them normalized.

    An id shared by several screens (`issue.resolve`) is checked on each of them; an old id in
    `legacy` (old id -> (screen class, shared id)) only on its own screen.
    """
    legacy = LEGACY_IDS if legacy is None else legacy
    infos = list(bindings)
    by_id: dict[str, list[BindingInfo]] = {}
    for info in infos:
        by_id.setdefault(info.binding_id, []).append(info)

    def targets(binding_id: str) -> list[BindingInfo]:
        if binding_id in by_id:
            return by_id[binding_id]
        scope, shared = legacy[binding_id]
        return [i for i in by_id.get(shared, []) if i.scope == scope]

    for binding_id in overrides:
        if binding_id not in by_id and binding_id not in legacy:
            names = [*by_id, *legacy]
            close = sorted(k for k in names if k.split(".")[-1] == binding_id.split(".")[-1])
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise KeymapError(f"unknown binding id {binding_id!r}{hint}")
        if binding_id in legacy and legacy[binding_id][1] in overrides:
            raise KeymapError(
                f"{binding_id!r} is the old name of {legacy[binding_id][1]!r} "
                "on one screen; keep one of them"
            )
    overridden = {(i.scope, i.binding_id) for b in overrides for i in targets(b)}
    # keys kept by the bindings that are not overridden, per class
    by_scope: dict[str, dict[str, str]] = {}
    for info in infos:
        scope = by_scope.setdefault(info.scope, {})
        if (info.scope, info.binding_id) not in overridden:
            for key in info.keys:
                scope.setdefault(key, info.binding_id)
    result: dict[str, str] = {}
    used: dict[str, dict[str, str]] = {}  # scope -> key -> the override id using it
    for binding_id, spec in overrides.items():
        keys = [normalize_key(k) for k in spec.split(",") if k.strip()]
        if not keys:
            raise KeymapError(f"{binding_id!r} has no key")
        for key in keys:
            if key in RESERVED_KEYS:
                raise KeymapError(
                    f"{binding_id!r} = {key!r}: that key is reserved "
                    "(tmux prefix, terminal alias or quit)"
                )
        for info in targets(binding_id):
            for key in keys:
                owner = by_scope[info.scope].get(key)
                if owner is not None:
                    raise KeymapError(
                        f"{binding_id!r} = {key!r} clashes with {owner!r} on {info.scope}"
                    )
        result[binding_id] = ",".join(keys)
    # two overridden ids of one scope on the same key
    for binding_id, spec in result.items():
        for info in targets(binding_id):
            seen = used.setdefault(info.scope, {})
            for key in spec.split(","):
                if key in seen and seen[key] != binding_id:
                    raise KeymapError(
                        f"{binding_id!r} and {seen[key]!r} both use {key!r} on {info.scope}"
                    )
                seen[key] = binding_id
    return result


def split_keymap(
    keymap: Mapping[str, str], legacy: Mapping[str, tuple[str, str]]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(the app-wide keymap, per-screen keymaps from old ids: screen class -> {shared id: keys})."""
    shared: dict[str, str] = {}
    scoped: dict[str, dict[str, str]] = {}
    for binding_id, keys in keymap.items():
        if binding_id in legacy:
            scope, new_id = legacy[binding_id]
            scoped.setdefault(scope, {})[new_id] = keys
        else:
            shared[binding_id] = keys
    return shared, scoped
