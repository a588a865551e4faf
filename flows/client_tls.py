"""One TLS context for all the Prefect clients of a process, instead of one per client.

Prefect builds a fresh verified `ssl.SSLContext` for every client it creates, even for a
plain-HTTP API: 15 ms of parsing certifi's bundle each, and a client is created for every
task run's thread, every `future.wait()`, every suspension check. In `editorbot serve` during
a burst of 20 notes that was 30 % of the runner's busy samples (py-spy). With one context,
the runner's peak RSS in that burst went from 311 to 180 MB (bench/README.md, seventh round).

An `SSLContext` is made to be shared: httpx shares one across all of a client's connections,
from any thread. The context here is built exactly as Prefect builds it, from the same two
settings (`PREFECT_API_TLS_INSECURE_SKIP_VERIFY`, `PREFECT_API_SSL_CERT_FILE`), once per
value of those settings; a caller that passes its own `verify` keeps it.

Prefect has no setting for this, so its two client classes are wrapped. Re-check on a Prefect
upgrade: `tests/unit/test_client_tls.py` fails if a client stops taking the shared context.
"""

import functools
import ssl
from collections.abc import Callable
from typing import Any

import certifi
from prefect.client.orchestration import PrefectClient, SyncPrefectClient
from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_TLS_INSECURE_SKIP_VERIFY


@functools.cache
def _context(cafile: str, insecure: bool) -> ssl.SSLContext:
    """The context Prefect's client would build for these settings (one per process)."""
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cafile)


def shared_tls_context() -> ssl.SSLContext:
    """The process's context for the current Prefect settings."""
    cafile = PREFECT_API_SSL_CERT_FILE.value() or certifi.where()
    return _context(cafile, bool(PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value()))


def _sharing(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self, api: Any, *args: Any, httpx_settings: dict | None = None, **kwargs: Any):
        settings = dict(httpx_settings or {})
        settings.setdefault("verify", shared_tls_context())
        init(self, api, *args, httpx_settings=settings, **kwargs)

    __init__.shares_tls_context = True  # type: ignore[attr-defined]
    return __init__


def share_tls_context() -> None:
    """From now on, every Prefect client of this process takes the shared context."""
    for client in (PrefectClient, SyncPrefectClient):
        if not getattr(client.__init__, "shares_tls_context", False):
            client.__init__ = _sharing(client.__init__)  # type: ignore[method-assign]
