"""Every Prefect client of a process shares one TLS context, built as Prefect builds it."""

import ssl
from pathlib import Path

import certifi
import pytest
from prefect.client.orchestration import PrefectClient, SyncPrefectClient, get_client
from prefect.settings import (
    PREFECT_API_SSL_CERT_FILE,
    PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
    PREFECT_API_URL,
    temporary_settings,
)

import flows  # noqa: F401  (what every process that runs a flow imports first)

API = "http://127.0.0.1:9/api"


def context_of(client: PrefectClient | SyncPrefectClient) -> ssl.SSLContext:
    """The context the client's connection pool wraps its sockets with."""
    return client._client._transport._pool._ssl_context


def as_prefect_builds_it(client_class: type) -> ssl.SSLContext:
    """The context Prefect's own constructor, unwrapped, gives a new client."""
    client = client_class.__new__(client_class)
    client_class.__init__.__wrapped__(client, API)
    return context_of(client)


def test_clients_share_one_context_that_verifies_as_prefect_would():
    with temporary_settings({PREFECT_API_URL: API}):
        contexts = [
            context_of(PrefectClient(API)),
            context_of(SyncPrefectClient(API)),
            context_of(get_client()),
            context_of(get_client(sync_client=True)),
        ]
    assert all(context is contexts[0] for context in contexts)
    shared = contexts[0]
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    for client_class in (PrefectClient, SyncPrefectClient):
        own = as_prefect_builds_it(client_class)
        assert own is not shared
        assert shared.cert_store_stats() == own.cert_store_stats()
        assert shared.get_ca_certs() == own.get_ca_certs()


def test_the_ca_file_setting_gets_its_own_context(tmp_path):
    pem = Path(certifi.where()).read_text()
    one = tmp_path / "one-ca.pem"
    one.write_text(pem[: pem.index("-----END CERTIFICATE-----")] + "-----END CERTIFICATE-----\n")
    default = context_of(PrefectClient(API))
    with temporary_settings({PREFECT_API_SSL_CERT_FILE: str(one)}):
        own = context_of(PrefectClient(API))
        assert context_of(SyncPrefectClient(API)) is own
    assert own is not default
    assert own.cert_store_stats()["x509_ca"] == 1
    assert own.verify_mode == ssl.CERT_REQUIRED


def test_skipping_verification_is_still_honoured():
    with temporary_settings({PREFECT_API_TLS_INSECURE_SKIP_VERIFY: True}):
        insecure = context_of(PrefectClient(API))
        prefects = as_prefect_builds_it(PrefectClient)
    assert insecure.verify_mode == ssl.CERT_NONE and not insecure.check_hostname
    assert insecure.cert_store_stats() == prefects.cert_store_stats()
    assert context_of(PrefectClient(API)).verify_mode == ssl.CERT_REQUIRED


@pytest.mark.parametrize("client", [PrefectClient, SyncPrefectClient])
def test_a_callers_own_verify_is_kept(client):
    mine = ssl.create_default_context(cafile=certifi.where())
    assert context_of(client(API, httpx_settings={"verify": mine})) is mine
    assert context_of(client(API, httpx_settings={"verify": False})).verify_mode == ssl.CERT_NONE
