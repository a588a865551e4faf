"""A global slot as the transcriber and the renders take it, against a real Prefect server."""

import threading
import time
import uuid

import pytest
from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

from tasks.global_slots import held_slot

pytestmark = pytest.mark.usefixtures("prefect_api")


def _limit(slots: int = 1) -> str:
    name = f"test-slot-{uuid.uuid4().hex[:8]}"
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
