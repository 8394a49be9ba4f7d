"""What the terminal shows when the app itself breaks: the traceback, never a frame's locals.

Why: Textual's fatal-error handler renders the traceback with every frame's local variables, so a
frame that held the token (a request's headers, the settings) printed it to the terminal — and to
the scroll-back of a shared tmux or a recorded SSH session. dexter's crash log (see
`commands/crash.py`) keeps the details, redacted; the terminal gets the stack without locals.
"""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.segment import Segments
from rich.text import Text

from dexter_tui.sentry.errors import redact_credentials

_TOKEN_LIKE = re.compile(r"sntry[a-z]?_[A-Za-z0-9+/=_.\-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")


def redacted_traceback(width: int, secrets: tuple[str, ...] = ()) -> Text:
    """The current exception's traceback as plain text, without locals or known secrets."""
    from rich.traceback import Traceback  # only when something broke: ~0.1 s to import

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(Traceback(show_locals=False, width=width))
    text = buffer.getvalue()
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "********")
    text = _BEARER.sub(r"\1********", _TOKEN_LIKE.sub("sntry_********", text))
    return Text(redact_credentials(text))


class CrashOutput:
    """Mixin for the App: replaces Textual's locals-showing fatal-error output."""

    def _fatal_error(self) -> None:
        app = self  # type: ignore[assignment]
        settings = getattr(getattr(app, "ctx", None), "settings", None)
        token = settings.token_value() if settings is not None else None
        app.bell()
        rendered = redacted_traceback(app.console.width, (token,) if token else ())
        app._exit_renderables.append(Segments(app.console.render(rendered, app.console.options)))
        app._close_messages_no_wait()
