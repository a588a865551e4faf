"""A deployment's run suspended and resumed over and over in threads of one process ends."""

import time
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from prefect import flow, get_client, task
from prefect.client.schemas.responses import SetStateStatus
from prefect.deployments import run_deployment
from prefect.exceptions import Pause
from prefect.flow_runs import suspend_flow_run
from prefect.states import Pending

from flows.approval import resume_once_open
from flows.thread_runs import RESUMING, execute_here

pytestmark = pytest.mark.usefixtures("prefect_api")

GATES = 2
RUNS = 8
"""Without the fix about one run in three never ended on the 2-core machine, so eight runs
all ending is what the fix buys, not luck."""


@task
def step(n: int) -> int:
    return n


@flow(name="thread-runs", persist_result=True)
def gated(gates: int = GATES) -> str:
    """Two gates like the approval's: a step, then a suspension waiting for an answer."""
    for gate in range(gates):
        step(gate)
        suspend_flow_run(wait_for_input=str, key=f"gate-{gate}", timeout=600)
    step(gates)
    return "done"


def _execute(run_id: UUID) -> str:
    try:
        execute_here(gated, run_id)
    except Pause:
        return "suspended"
    return "returned"


def _claim_when_resuming(client, run_id: UUID, deadline: float) -> None:
    """Claim the run as the lane does, once it is Scheduled (new, or to resume)."""
    while not (state := client.read_flow_run(run_id).state).is_scheduled():
        assert time.monotonic() < deadline, f"the run never ended: {state}"
        time.sleep(0.05)
    client.set_flow_run_state(run_id, Pending())


def test_a_run_resumed_at_once_and_run_again_here_ends_though_its_last_execution_is_ending():
    """Each decision comes the moment the run suspends, and the next execution starts in
    another thread while the last one is still ending, as a burst of approvals makes it."""
    deployment = gated.to_deployment(name="threads").apply()
    assert deployment
    with ThreadPoolExecutor(GATES + 2) as pool, get_client(sync_client=True) as client:
        runs = []
        for _ in range(RUNS):
            run = run_deployment("thread-runs/threads", timeout=0)
            deadline = time.monotonic() + 90
            executions = []
            while True:
                _claim_when_resuming(client, run.id, deadline)
                executions.append(pool.submit(_execute, run.id))
                while not (state := client.read_flow_run(run.id).state).is_final():
                    if state.is_paused():
                        # Prefect marks the run Paused before it saves the input's schema.
                        answer = resume_once_open(client, run.id, {"value": "yes"})
                        assert answer.status == SetStateStatus.ACCEPT, answer.details
                        break
                    if state.is_scheduled() and state.name == RESUMING:
                        break  # put back in line by execute_here
                    assert time.monotonic() < deadline, f"the run never ended: {state}"
                    time.sleep(0.05)
                else:
                    break
            for execution in executions:
                execution.result(timeout=60)
            runs.append(client.read_flow_run(run.id).state.name)
    assert runs == ["Completed"] * RUNS
