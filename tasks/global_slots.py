"""One slot of a global concurrency limit, taken without Prefect's 2 s back-off on SQLite's lock.

Prefect's `concurrency()` asks through its HTTP client, which answers a 503 by sleeping
2**attempt seconds, even on its last try. A server on SQLite answers 503 ("database is
locked") whenever another write (a task run's state, a batch of logs or events, an artifact)
commits between the acquisition's read and its update, which a busy flow makes the common
case: most acquisitions waited 2 s for a free slot (bench/slot_acquire.py; on PostgreSQL the
update waits for the row instead, and none did). This sends the same lease calls with one try
each through the same configured client and retries those 503s within a tenth of a second; a
slot held by another (423) is waited for as long as the server's Retry-After says, as
Prefect does. A grant whose answer was lost (the connection dropped after the server took
the slot) is asked for again, and the first lease stays taken until it expires, as with
Prefect's own client. The server's CSRF protection (off unless enabled) is not supported.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.client.schemas.responses import ConcurrencyLimitWithLeaseResponse
from prefect.concurrency._events import (
    emit_concurrency_acquisition_events,
    emit_concurrency_release_events,
)
from prefect.context import FlowRunContext, TaskRunContext

from editorbot.turns import Turns

log = logging.getLogger(__name__)

SLOT_LEASE_S = 60
"""How long a slot outlives a holder whose process was killed (the server's minimum).

The holder renews the lease while it works; Prefect's default of 300 s held every other
note back for five minutes after a process died mid-transcription.
"""
BUSY_RETRY_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0)
"""Waits between tries while the server is busy (its database locked, a restart): short
first, because SQLite's lock is gone within milliseconds; the last repeats."""
RETRIED_STATUSES = {408, 429, 502, 503, 504}
GIVE_UP_S = 60.0
"""How long a busy or unreachable server is retried (the client's own five retries wait
about as long) before the error reaches the task."""
RENEW_EVERY = 0.5
"""Renew the lease after this fraction of it (Prefect's own renews at 0.75)."""
KEEP_AT_MOST_S = 30.0
"""How long a QueuedSlot passes its slot from holder to holder before it gives it back."""


def _post(client: SyncPrefectClient, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST once with the client's base URL, auth and TLS; retried here, not by the client."""
    http = client._client  # Prefect's configured httpx client
    # httpx's own send: Prefect's override sleeps 2**attempt s after a 503, even the last one.
    response = httpx.Client.send(http, http.build_request("POST", path, json=body))
    response.raise_for_status()
    return response


def _retrying(client: SyncPrefectClient, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST until the server takes it: 503s and lost connections retried at BUSY_RETRY_S for
    up to GIVE_UP_S, a slot held by another (423) for as long as it is held."""
    attempt, busy_since = 0, time.monotonic()
    while True:
        try:
            return _post(client, path, body)
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status == 423:  # someone else's slot: wait as long as the server says
                time.sleep(float(error.response.headers.get("Retry-After", 1)))
                attempt, busy_since = 0, time.monotonic()
                continue
            if status not in RETRIED_STATUSES or time.monotonic() - busy_since > GIVE_UP_S:
                raise
        except httpx.TransportError:
            if time.monotonic() - busy_since > GIVE_UP_S:
                raise
        time.sleep(BUSY_RETRY_S[min(attempt, len(BUSY_RETRY_S) - 1)])
        attempt += 1


def _holder() -> ConcurrencyLeaseHolder | None:
    """Who holds the slot, as the server shows it: the task run, else the flow run."""
    if (task := TaskRunContext.get()) is not None:
        return ConcurrencyLeaseHolder(type="task_run", id=task.task_run.id)
    if (flow := FlowRunContext.get()) is not None and flow.flow_run is not None:
        return ConcurrencyLeaseHolder(type="flow_run", id=flow.flow_run.id)
    return None


class _Lease:
    """One slot granted by the server, its lease renewed in the background until given back."""

    def __init__(self, granted: ConcurrencyLimitWithLeaseResponse, lease_s: float) -> None:
        self.limits = granted.limits
        self.lease_id = granted.lease_id
        self.lease_s = lease_s
        self.lost = threading.Event()
        """Set once the server says the lease is gone (expired while it was unreachable, or
        revoked): the slot may be someone else's now, so it is not passed on."""
        self._done = threading.Event()
        threading.Thread(target=self._keep_renewing, name="slot-lease", daemon=True).start()

    def _keep_renewing(self) -> None:
        path = f"/v2/concurrency_limits/leases/{self.lease_id}/renew"
        with get_client(sync_client=True) as client:
            while not self._done.wait(self.lease_s * RENEW_EVERY):
                try:
                    _retrying(client, path, {"lease_duration": self.lease_s})
                except Exception as error:  # the holder works on, as Prefect's own slots do
                    gone = (
                        isinstance(error, httpx.HTTPStatusError)
                        and error.response.status_code == 410
                    )
                    log.warning("Could not renew the slot's lease %s", self.lease_id, exc_info=True)
                    if gone:  # nothing left to renew
                        self.lost.set()
                        return

    @classmethod
    def taken(cls, client: SyncPrefectClient, name: str, lease_s: float) -> "_Lease | None":
        """Wait for one slot of `name`; None when the limit does not exist."""
        body: dict[str, Any] = {
            "names": [name],
            "slots": 1,
            "mode": "concurrency",
            "lease_duration": lease_s,
        }
        if (holder := _holder()) is not None:
            body["holder"] = holder.model_dump(mode="json")
        granted = ConcurrencyLimitWithLeaseResponse.model_validate(
            _retrying(client, "/v2/concurrency_limits/increment-with-lease", body).json()
        )
        return cls(granted, lease_s) if granted.limits else None

    def give_back(self, client: SyncPrefectClient) -> None:
        self._done.set()
        body = {"lease_id": str(self.lease_id)}
        _retrying(client, "/v2/concurrency_limits/decrement-with-lease", body)


@contextmanager
def held_slot(name: str, lease_s: float = SLOT_LEASE_S) -> Iterator[None]:
    """Hold one slot of the global limit `name` inside the block, renewing its lease.

    Like Prefect's `concurrency()`, it names its holder to the server and emits the
    limit's `acquired` and `released` events (the UI's and the scale-out test's record).
    Without the limit (deleted by hand) this takes no slot and waits for nothing, rather than
    failing the run.
    """
    with get_client(sync_client=True) as client:
        lease = _Lease.taken(client, name, lease_s)
        if lease is None:
            yield
            return
        # Everything after the grant is inside `_recorded`: a slot taken is always given back.
        with _recorded(lease, let_go=lambda: lease.give_back(client)):
            yield


@contextmanager
def _recorded(lease: _Lease, let_go: Callable[[], None]) -> Iterator[None]:
    """The block as one holding of `lease`, between the limit's `acquired` and `released`
    events; `let_go` (give the slot back, or keep it for the next) runs before the release."""
    events: dict = {}
    try:
        events = emit_concurrency_acquisition_events(lease.limits, 1)
        yield
    finally:
        try:
            let_go()
        finally:
            if events:
                emit_concurrency_release_events(lease.limits, 1, events)


class QueuedSlot:
    """This process's holders of one slot of the global limit `name`, served in order.

    The first to come asks the server for the slot. One that finishes while others here
    queue passes the slot to the next, instead of giving it back and the next asking again:
    two round trips to a busy server per note, in which the transcription slot stood empty
    for 11 s of a burst whose last draft came at 51 s (bench/README.md, seventh round).
    The slot goes back to the server as soon as nobody here waits for it, or once it has
    been kept KEEP_AT_MOST_S, so that another process waiting at the server gets its turn.

    Each holding still emits its own `acquired` and `released` events, as `held_slot` does;
    the server names as the holder the one that asked for the slot. A waiter that leaves the
    queue before its turn (Ctrl-C in a main thread) leaves a passed slot to the next holder,
    or to its lease's expiry when the process ends.
    """

    def __init__(
        self, name: str, lease_s: float = SLOT_LEASE_S, keep_at_most_s: float = KEEP_AT_MOST_S
    ) -> None:
        self.name, self.lease_s, self.keep_at_most_s = name, lease_s, keep_at_most_s
        self._turns = Turns()
        self._lease: _Lease | None = None  # touched only by the thread whose turn it is
        self._kept_since = 0.0

    @property
    def waiting(self) -> int:
        """Holders queued here behind the current one."""
        return self._turns.waiting

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the slot inside the block, after the holders that came before."""
        with self._turns:
            if self._lease is None:
                with get_client(sync_client=True) as client:
                    self._lease = _Lease.taken(client, self.name, self.lease_s)
                self._kept_since = time.monotonic()
            lease = self._lease
            if lease is None:  # no such limit: nothing to hold or to pass on
                yield
                return
            with _recorded(lease, let_go=lambda: self._pass_on_or_give_back(lease)):
                yield

    def _pass_on_or_give_back(self, lease: _Lease) -> None:
        """Keep the slot for the next holder here, unless none waits, it was kept too long, or
        its lease was lost."""
        kept_s = time.monotonic() - self._kept_since
        if self._turns.waiting and kept_s <= self.keep_at_most_s and not lease.lost.is_set():
            return
        self._lease = None
        with get_client(sync_client=True) as client:
            lease.give_back(client)
