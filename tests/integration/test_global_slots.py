"""A global slot as the transcriber and the renders take it, against a real Prefect server."""

import threading
import time
import uuid

import pytest
from prefect import get_client, task
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.runtime import task_run

from harness.runner import slot_events
from tasks.global_slots import SLOT_LEASE_S, QueuedSlot, held_slot

pytestmark = pytest.mark.usefixtures("prefect_api")


def _limit(slots: int = 1, name: str | None = None) -> str:
    name = name or f"test-slot-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=slots))
    return name


def _taken(name: str) -> int:
    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(name).active_slots


def test_a_held_slot_keeps_the_next_holder_out_until_it_is_given_back():
    name = _limit()
    order: list[str] = []
    inside = threading.Event()

    def second_holder() -> None:
        inside.wait()
        with held_slot(name):
            order.append("second in")

    other = threading.Thread(target=second_holder)
    other.start()
    with held_slot(name):
        assert _taken(name) == 1
        inside.set()
        time.sleep(1.5)  # room for the other thread to be let in, were the slot not held
        order.append("first out")
    other.join(timeout=120)
    assert order == ["first out", "second in"]
    assert _taken(name) == 0


def test_a_failing_holder_gives_its_slot_back():
    name = _limit()
    with pytest.raises(RuntimeError), held_slot(name):
        assert _taken(name) == 1
        raise RuntimeError("the transcription failed")
    assert _taken(name) == 0


def test_without_the_limit_nothing_is_taken_and_nothing_waits():
    ran = []
    with held_slot(f"no-such-limit-{uuid.uuid4().hex[:8]}"):
        ran.append(True)
    assert ran == [True]


def test_each_holding_is_an_acquired_then_a_released_event_as_prefect_emits_them():
    name = _limit()
    for _ in range(2):
        with held_slot(name):
            pass
    with pytest.raises(RuntimeError), held_slot(name):
        raise RuntimeError("the render failed")  # a failed holder's release is recorded too
    events = slot_events(name, 6)
    assert [e.event.rsplit(".", 1)[1] for e in events] == ["acquired", "released"] * 3
    assert {e.resource["prefect.resource.name"] for e in events} == {name}
    assert {(e.resource["slots-acquired"], e.resource["limit"]) for e in events} == {("1", "1")}
    # Each release follows its own acquisition, as Prefect links them.
    assert [events[i + 1].follows for i in range(0, 6, 2)] == [events[i].id for i in range(0, 6, 2)]


def test_the_server_knows_the_task_run_that_holds_the_slot():
    # Prefect lists a limit's holders only for tag limits (`tag:<tag>`); the lease is the same.
    tag = f"slot-holder-{uuid.uuid4().hex[:8]}"
    name = _limit(name=f"tag:{tag}")

    @task
    def hold() -> tuple[str, list[str]]:
        with held_slot(name), get_client(sync_client=True) as client:
            holders = client.read_concurrency_limit_by_tag(tag).active_slots
        return task_run.id, [str(holder) for holder in holders]

    holder, holders = hold()
    assert holders == [holder]
    assert _taken(name) == 0


def _queued_holders(slot: QueuedSlot, tag: str, count: int) -> list[tuple[str, list[str]]]:
    """`count` task runs that queue for `slot` while the first holds it: each one's id and
    the holders the server names while it is inside."""

    @task
    def hold() -> tuple[str, list[str]]:
        with slot.held(), get_client(sync_client=True) as client:
            holders = client.read_concurrency_limit_by_tag(tag).active_slots
            deadline = time.monotonic() + 60
            while slot.waiting < count - 1 - len(seen) and time.monotonic() < deadline:
                time.sleep(0.01)  # the first holds on until the others queue behind it
            seen.append(task_run.id)
        return task_run.id, [str(holder) for holder in holders]

    seen: list[str] = []
    results: list[tuple[str, list[str]]] = []
    threads = [threading.Thread(target=lambda: results.append(hold())) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(results, key=lambda result: seen.index(result[0]))


def test_holders_queued_in_one_process_pass_the_slot_then_give_it_back():
    tag = f"slot-queue-{uuid.uuid4().hex[:8]}"
    name = _limit(name=f"tag:{tag}")
    held = _queued_holders(QueuedSlot(name), tag, 3)
    first = held[0][0]
    # The server was asked once: the first holder's lease served the two queued behind it.
    assert [holders for _, holders in held] == [[first]] * 3
    assert _taken(name) == 0  # nobody left waiting: given back
    assert [e.event.rsplit(".", 1)[1] for e in slot_events(name, 6)] == ["acquired", "released"] * 3


def test_a_slot_kept_too_long_goes_back_to_the_server_between_holders():
    tag = f"slot-queue-{uuid.uuid4().hex[:8]}"
    name = _limit(name=f"tag:{tag}")
    held = _queued_holders(QueuedSlot(name, keep_at_most_s=0), tag, 2)
    assert [holders for _, holders in held] == [[run_id] for run_id, _ in held]
    assert _taken(name) == 0


def test_a_failing_queued_holder_passes_the_slot_on_or_gives_it_back():
    name = _limit()
    slot = QueuedSlot(name)
    with pytest.raises(RuntimeError), slot.held():
        raise RuntimeError("the transcription failed")
    assert _taken(name) == 0
    with slot.held():
        assert _taken(name) == 1
    assert _taken(name) == 0


def test_a_lease_the_server_lost_is_not_passed_on():
    # The server revokes a lease left unrenewed (down or unreachable for SLOT_LEASE_S); the
    # slot may be another process's by then, so the next holder here asks for its own.
    tag = f"slot-queue-{uuid.uuid4().hex[:8]}"
    name = _limit(name=f"tag:{tag}")
    slot = QueuedSlot(name, keep_at_most_s=10 * SLOT_LEASE_S)  # only the loss lets it go

    @task
    def hold(first: bool) -> tuple[str, list[str]]:
        with slot.held(), get_client(sync_client=True) as client:
            holders = client.read_concurrency_limit_by_tag(tag).active_slots
            if first:
                deadline = time.monotonic() + 60
                while not slot.waiting and time.monotonic() < deadline:
                    time.sleep(0.01)
                lease = slot._lease
                client.release_concurrency_slots_with_lease(lease.lease_id)  # as revoked
                assert lease.lost.wait(SLOT_LEASE_S), "the renewal never heard it was gone"
        return task_run.id, [str(holder) for holder in holders]

    results: dict[bool, tuple[str, list[str]]] = {}
    threads = [
        threading.Thread(target=lambda first=first: results.__setitem__(first, hold(first)))
        for first in (True, False)
    ]
    threads[0].start()
    deadline = time.monotonic() + 60
    while slot._lease is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the first holds the slot before the second queues
    threads[1].start()
    for thread in threads:
        thread.join(timeout=180)
    second, holders = results[False]
    assert holders == [second]  # its own lease, not the lost one passed on
    assert _taken(name) == 0
