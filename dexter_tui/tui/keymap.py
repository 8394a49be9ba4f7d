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


class KeymapError(ValueError):
    """An override that cannot be applied; the message says which and why."""


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
    overrides: Mapping[str, str], bindings: Iterable[BindingInfo]
) -> dict[str, str]:
    """Check `overrides` (binding id -> comma-separated keys); return them normalized."""
    known = {b.binding_id: b for b in bindings}
    # keys kept by the bindings that are not overridden, per class
    by_scope: dict[str, dict[str, str]] = {}
    for info in known.values():
        scope = by_scope.setdefault(info.scope, {})
        if info.binding_id not in overrides:
            for key in info.keys:
                scope.setdefault(key, info.binding_id)
    result: dict[str, str] = {}
    for binding_id, spec in overrides.items():
        if binding_id not in known:
            close = sorted(k for k in known if k.split(".")[-1] == binding_id.split(".")[-1])
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise KeymapError(f"keymap: unknown binding id {binding_id!r}{hint}")
        keys = [normalize_key(k) for k in spec.split(",") if k.strip()]
        if not keys:
            raise KeymapError(f"keymap: {binding_id!r} has no key")
        info = known[binding_id]
        for key in keys:
            if key in RESERVED_KEYS:
                raise KeymapError(
                    f"keymap: {binding_id!r} = {key!r}: that key is reserved "
                    "(tmux prefix, terminal alias or quit)"
                )
            owner = by_scope[info.scope].get(key)
            if owner is not None:
                raise KeymapError(
                    f"keymap: {binding_id!r} = {key!r} clashes with {owner!r} on {info.scope}"
                )
        result[binding_id] = ",".join(keys)
    # two overridden ids of one scope on the same key
    for scope in {known[b].scope for b in result}:
        seen: dict[str, str] = {}
        for binding_id, spec in result.items():
            if known[binding_id].scope != scope:
                continue
            for key in spec.split(","):
                if key in seen:
                    raise KeymapError(
                        f"keymap: {binding_id!r} and {seen[key]!r} both use {key!r} on {scope}"
                    )
                seen[key] = binding_id
    return result
