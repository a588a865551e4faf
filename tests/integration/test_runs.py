"""Finding and waiting for runs (flows/runs.py) against a real Prefect API."""

import threading
import time
import uuid

import pytest
from prefect import flow, get_client
from prefect.states import AwaitingRetry, Completed, Failed, Running

from flows.runs import (
    PRODUCT_TAG,
    RunEnded,
    note_tag,
    run_has_tag,
    run_key_of,
    run_tags,
    runs_tagged,
    wait_for_end,
    wait_for_state,
)

pytestmark = pytest.mark.usefixtures("prefect_api")


@flow(name="runs-under-test")
def _nothing() -> None:
    """Never executed: the tests only move its runs from state to state."""


def _new_run(*tags: str):
    with get_client(sync_client=True) as client:
        return client.create_flow_run(_nothing, tags=list(tags))


def _set(run_id, state, after_s: float = 0) -> None:
    time.sleep(after_s)
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run_id, state, force=True)


def test_runs_are_found_by_their_tags_and_give_their_run_key():
    note = note_tag(f"runs-{uuid.uuid4().hex[:8]}")
    first = _new_run(*run_tags("2026/12/01/1-1", note))
    second = _new_run(*run_tags("2026/12/01/1-2", note))
    assert [r.id for r in runs_tagged(note)] == [second.id, first.id]  # newest first
    assert [r.id for r in runs_tagged(note, oldest_first=True, limit=1)] == [first.id]
    assert run_key_of(runs_tagged(note, PRODUCT_TAG)[0]) == "2026/12/01/1-2"
    assert run_has_tag(first.id, note) and not run_has_tag(first.id, note_tag("other"))
    assert not run_has_tag(uuid.uuid4(), note)


def test_waiting_for_the_end_of_a_replayed_run_is_not_fooled_by_its_earlier_failure():
    run = _new_run(PRODUCT_TAG)
    _set(run.id, Running())
    _set(run.id, Failed(message="the first attempt"))
    _set(run.id, AwaitingRetry(message="replayed"))  # as `editorbot replay` does
    time.sleep(5)  # the server has stored the failure's event by now, as minutes later
    later = threading.Thread(target=_set, args=(run.id, Completed(), 3))
    later.start()
    try:
        assert wait_for_end(run.id, timeout_s=60).is_completed()
    finally:
        later.join()


def test_waiting_for_a_state_stops_when_the_run_ends_otherwise():
    run = _new_run(PRODUCT_TAG)
    _set(run.id, Failed(message="gone"))
    with pytest.raises(RunEnded, match="gone"):
        wait_for_state(run.id, lambda state: state.is_paused(), timeout_s=30)
