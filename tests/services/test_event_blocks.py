"""The stack tab's blocks and the Raw tab's masking, headless (no terminal, no server)."""

from __future__ import annotations

from typing import Any

from dexter_tui.sentry.models import Event
from dexter_tui.services.event_blocks import event_blocks, mask_secrets
from dexter_tui.services.events import exception_chain, raw_lines
from dexter_tui.services.json_depth import clip_depth, json_depth


def _event(**fields: Any) -> Event:
    return Event.model_validate({"id": "e" * 32, "title": "T", **fields})


def test_mask_secrets_masks_what_the_request_tab_masks() -> None:
    raw = {
        "entries": [
            {
                "type": "request",
                "data": {
                    "headers": [["Authorization", "Bearer abc"], ["Accept", "text/html"]],
                    "cookies": [["sid", "c00kie"]],
                    "query": [["token", "t0k"], ["page", "2"]],
                    "data": {"password": "hunter2", "amount": 3},
                    "env": {"PWD": "/srv"},
                },
            }
        ],
        "context": {"api_key": "k3y", "note": "reset with password=letmein&x=1"},
    }
    masked = mask_secrets(raw)
    data = masked["entries"][0]["data"]
    assert data["headers"] == [["Authorization", "Bearer ********"], ["Accept", "text/html"]]
    assert data["cookies"] == [["sid", "********"]]
    assert data["query"] == [["token", "********"], ["page", "2"]]
    assert data["data"] == {"password": "********", "amount": 3}
    assert masked["context"]["api_key"] == "********"
    assert masked["context"]["note"] == "reset with password=********&x=1"
    assert raw["entries"][0]["data"]["cookies"] == [["sid", "c00kie"]]  # the source is untouched
    assert not any("hunter2" in line for line in raw_lines(raw))


def test_clip_depth_says_how_deep_it_went() -> None:
    deep: list[Any] = []
    node = deep
    for _ in range(999):
        node.append([])
        node = node[0]
    assert json_depth(deep) == 1000
    clipped = clip_depth({"a": deep}, 10)
    node = clipped["a"]
    for _ in range(9):
        node = node[0]
    assert node == "… (depth 1001)"
    small = {"a": [1, {"b": 2}]}
    assert clip_depth(small, 10) is small


def test_blocks_of_a_native_event() -> None:
    event = _event(
        errors=[{"type": "native_missing_dsym", "message": "A required debug file was missing",
                 "data": {"image_path": "/x/Shop"}}],
        entries=[
            {"type": "debugmeta", "data": {"images": [
                {"type": "macho", "code_file": "/x/Shop", "image_addr": 4096, "image_size": 2048,
                 "debug_id": "abc"}]}},
            {"type": "spans", "data": [{"op": "db"}]},
        ],
    )  # fmt: skip
    blocks = event_blocks(event)
    assert blocks.notices == ["A required debug file was missing (native_missing_dsym): /x/Shop"]
    (image,) = blocks.images
    assert (image.name, image.address, image.size, image.debug_id) == (
        "Shop",
        "0x1000",
        "2,048",
        "abc",
    )
    assert [(b.title, b.text) for b in blocks.raw] == [("spans", '[{"op": "db"}]')]


def test_frame_labels_never_read_question_marks() -> None:
    frames = [
        {"instructionAddr": "0x10"},
        {"instructionAddr": "0x20", "package": "/usr/lib/libfoo.so", "symbol": "_Zfoo"},
        {"filename": "main.c", "lineNo": 7},
        {"function": "run", "module": "com.acme.Job", "filename": "Job.java", "lineNo": 3},
        {"function": "Shop.Cart.total/1", "module": "Shop.Cart", "filename": "cart.ex"},
        {"function": "submit", "module": "src/cart", "filename": "./cart.ts", "lineNo": 4,
         "colNo": 9},
        {},
    ]  # fmt: skip
    event = _event(entries=[{"type": "exception", "data": {"values": [
        {"type": "E", "stacktrace": {"frames": frames}}]}}])  # fmt: skip
    shown = [
        (f.label, f.location) for f in exception_chain(event, in_app_only=False)[0].stack.frames
    ]
    assert shown == [
        ("0x10", ""),
        ("_Zfoo", "libfoo.so"),
        ("main.c", "line 7"),
        ("com.acme.Job.run", "Job.java:3"),
        ("Shop.Cart.total/1", "cart.ex"),
        ("submit", "./cart.ts:4:9"),
        ("?", ""),
    ]
