"""TLS: verification is on, a private CA works through `ca_bundle`, failures say what to do."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from dexter_tui.sentry import tls
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NetworkError

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def _name(cn: str):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) for 127.0.0.1, signed by a throwaway CA."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("dexter test CA"))
        .issuer_name(_name("dexter test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem = folder / "server.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem = folder / "server.key"
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_pem, cert_pem, key_pem


@pytest.fixture
def tls_server(demo_app, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The demo app over HTTPS on loopback; yields (url, ca.pem)."""
    ca, cert, key = make_ca_and_server_cert(tmp_path)
    config = uvicorn.Config(
        demo_app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}", ca
    server.should_exit = True
    thread.join(timeout=10)


async def test_unknown_ca_fails_with_a_tls_hint(tls_server, world) -> None:
    url, _ = tls_server
    async with SentryClient(url, world.token, max_retries=0) as client:
        with pytest.raises(NetworkError) as err:
            await client.get_organization("acme")
    assert "TLS verification failed" in str(err.value)
    assert "ca_bundle" in str(err.value)
    assert world.token not in str(err.value)


async def test_private_ca_bundle_is_trusted(tls_server, world) -> None:
    url, ca = tls_server
    async with SentryClient(url, world.token, ca_bundle=str(ca)) as client:
        org = await client.get_organization("acme")
    assert org.slug == "acme"


async def test_the_context_prepared_at_start_still_verifies(tls_server, world) -> None:
    """`dexter` builds the default context in a thread (tls.prepare); the client built after
    takes that one, and an unknown CA is refused exactly as with httpx's own."""
    url, _ = tls_server
    tls.prepare()
    async with SentryClient(url, world.token, max_retries=0) as client:
        assert tls.default_verify() is True  # taken by the client: httpx's default for the next
        with pytest.raises(NetworkError) as err:
            await client.get_organization("acme")
    assert "TLS verification failed" in str(err.value)


def test_the_prepared_context_is_httpx_default() -> None:
    tls.prepare()
    context = tls.default_verify()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # certifi's bundle is loaded
