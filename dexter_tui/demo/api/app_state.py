"""What the demo API's handlers read from the application rather than from closures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

    from dexter_tui.demo.store import Store


def store_of(request: Request) -> Store:
    """The store of the app serving `request` (`server.create_app` sets `app.state.store`).

    Handlers are module-level functions that find their store here, so a test can mount any
    one of them alone on a Starlette app with just that state.
    """
    return request.app.state.store
