"""Keymap overrides: accepted by binding id, refused clearly when they would misbehave."""

from __future__ import annotations

import pytest

from dexter_tui.config import ConfigError, Settings
from dexter_tui.tui.factory import BINDING_OWNERS, checked_keymap
from dexter_tui.tui.keymap import KeymapError, declared_bindings, validate_keymap


def _bindings():
    return declared_bindings(BINDING_OWNERS)


def test_every_binding_has_a_unique_id_per_class() -> None:
    infos = _bindings()
    assert infos, "no bindings found"
    seen: dict[tuple[str, str], str] = {}
    for info in infos:
        assert info.binding_id, f"{info.scope} has a binding without an id"
        assert (info.scope, info.binding_id) not in seen
        seen[(info.scope, info.binding_id)] = info.binding_id


def test_override_by_id_is_normalized() -> None:
    got = validate_keymap({"issues.resolve": "x, ctrl+r", "app.help": "?"}, _bindings())
    assert got == {"issues.resolve": "x,ctrl+r", "app.help": "question_mark"}


def test_clash_with_another_binding_of_the_same_screen_is_refused() -> None:
    with pytest.raises(KeymapError, match=r"'issues.resolve' = 'r' clashes with 'issues.refresh'"):
        validate_keymap({"issues.resolve": "r"}, _bindings())


def test_swapping_two_keys_is_allowed() -> None:
    got = validate_keymap({"issues.resolve": "r", "issues.refresh": "x"}, _bindings())
    assert got == {"issues.resolve": "r", "issues.refresh": "x"}


def test_unknown_id_suggests_the_full_id() -> None:
    with pytest.raises(
        KeymapError, match=r"unknown binding id 'resolve' \(did you mean .*issues.resolve"
    ):
        validate_keymap({"resolve": "x"}, _bindings())


@pytest.mark.parametrize("key", ["ctrl+a", "ctrl+b", "ctrl+m", "ctrl+i"])
def test_reserved_keys_are_refused(key: str) -> None:
    with pytest.raises(KeymapError, match="reserved"):
        validate_keymap({"issues.ignore": key}, _bindings())


def test_two_overrides_on_one_key_are_refused() -> None:
    with pytest.raises(KeymapError, match="both use 'f2'"):
        validate_keymap({"issues.ignore": "f2", "issues.assign": "f2"}, _bindings())


def test_config_error_names_where_the_keymap_came_from() -> None:
    settings = Settings(keymap={"issues.resolve": "ctrl+a"})
    settings.sources["keymap"] = "/home/me/.config/dexter-tui/config.toml [keymap]"
    with pytest.raises(ConfigError, match=r"config.toml \[keymap\]: 'issues.resolve'"):
        checked_keymap(settings)
