"""Small helpers the sample services share: quiet loggers and real failing network endpoints."""

from __future__ import annotations

import logging
import socket
from contextlib import closing


def quiet_logger(name: str) -> logging.Logger:
    """A logger whose records reach sentry-sdk's logging integration but never stderr."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


#: Loopback ports the scenario code opened since the last capture began, in order. The capture
#: driver renumbers them in the payload so the demo data set does not depend on the OS's choice.
EPHEMERAL_PORTS: list[int] = []


def closed_port() -> int:
    """A loopback port with nothing listening: connecting to it is really refused."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    EPHEMERAL_PORTS.append(port)
    return port


class SilentPeer:
    """A loopback listener that accepts connections and never answers: reads really time out."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        EPHEMERAL_PORTS.append(self.port)

    def close(self) -> None:
        self._sock.close()
