"""What happens when dexter itself breaks: a redacted crash log and a non-zero exit.

Why: a crash that exits 0 looks like success to a script and to the person who ran it, and a
traceback on screen is lost with the terminal. The log goes to the state dir (mode 0600) with the
traceback but never the token, a `Bearer` value or credentials in a URL; the terminal is restored
first (Textual does that before `App.run()` returns).
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dexter_tui import __version__

#: exit status of an unexpected error (BSD sysexits' EX_SOFTWARE)
EXIT_CRASH = 70

_TOKEN_RE = re.compile(r"sntry[a-z]?_[A-Za-z0-9+/=_.\-]+")
_BEARER_RE = re.compile(r"(?i)(bearer\s+|token\s*[=:]\s*['\"]?)([^\s'\",;]+)")
_URL_CREDENTIALS_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@:]+(?::[^/\s@]*)?@")
_SECRET_ENV = ("SENTRY_AUTH_TOKEN", "DEXTER_TOKEN")


def secrets_in(argv: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
    """Values that must never appear in a log: `--token` arguments and token variables."""
    env = dict(os.environ) if env is None else env
    found = [env[name] for name in _SECRET_ENV if env.get(name)]
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--token" and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--token="):
            found.append(arg.split("=", 1)[1])
    return [s for s in found if s]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without known secrets, token-looking strings, bearer values or URL credentials."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "********")
    text = _TOKEN_RE.sub("sntry_********", text)
    text = _URL_CREDENTIALS_RE.sub(r"\1********@", text)
    return _BEARER_RE.sub(lambda m: f"{m.group(1)}********", text)


def redact_argv(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append("********")
            hide_next = False
        elif arg == "--token":
            out.append(arg)
            hide_next = True
        elif arg.startswith("--token="):
            out.append("--token=********")
        else:
            out.append(arg)
    return out


def crash_dir() -> Path:
    import platformdirs

    return platformdirs.user_state_path("dexter-tui")


def write_crash_log(
    error: BaseException, argv: Sequence[str], directory: Path | None = None
) -> Path:
    """Write the redacted report of `error`; returns its path (file mode 0600)."""
    directory = directory or crash_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = directory / f"crash-{stamp}-{os.getpid()}.log"
    secrets = secrets_in(argv)
    body = "".join(traceback.format_exception(error))
    text = (
        f"dexter-tui {__version__} crashed at {stamp}Z\n"
        f"python {platform.python_version()} on {platform.platform()}\n"
        f"argv: {' '.join(redact_argv(argv))}\n\n{body}"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
        fh.write(redact(text, secrets))
    return path


def _one_line(error: BaseException, argv: Sequence[str]) -> str:
    text = redact(f"{type(error).__name__}: {error}", secrets_in(argv))
    text = "".join(ch if ch.isprintable() else "?" for ch in text.replace("\n", " "))
    return text[:200]


def report_crash(error: BaseException, argv: Sequence[str]) -> int:
    """Log `error`, tell the person where, and return `EXIT_CRASH`."""
    summary = _one_line(error, argv)
    try:
        path: Path | str = write_crash_log(error, argv)
    except OSError as exc:
        path = f"(could not write the crash log: {exc.strerror})"
    print(
        f"dexter: unexpected error: {summary}\n"
        f"dexter: the details (without credentials) are in {path}\n"
        "dexter: please include that file when reporting the problem",
        file=sys.stderr,
    )
    return EXIT_CRASH


def run_app(app: Any, argv: Sequence[str] | None = None) -> int:
    """Run a Textual app; a crash inside it is logged and never exits 0."""
    result = app.run()
    error = getattr(app, "_exception", None)
    if error is not None:
        return report_crash(error, sys.argv[1:] if argv is None else argv)
    code = app.return_code
    if code:
        return int(code)
    return int(result or 0)
