"""Runs nobody may wait for: resumed once after their process died, or their creator told.

A run turns Crashed when its process dies: killed with its runner, the VM rebooted, a
deploy restarted the container (`editorbot serve`'s heartbeat automation or the runner
marks it), or a local process was killed (flows/run_locks.py). Left alone, nobody would
ever finish it. `editorbot serve` (for the deployment's runs) and the bot in local mode
(for its own) resume each such run once: the run starts again from the top and takes every
finished step from the cache. A run that crashes again is not resumed a third time: its
creator is told in the chat, and it ends Failed, so sending the note again starts afresh.
A run suspended at the gate that nobody decided in time is failed by the Prefect server,
where no code of ours runs: the same sweep tells its creator.
"""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.states import Failed, State

from editorbot.schemas import ChatTarget
from editorbot.settings import get_settings
from flows.approval import expired
from flows.replay import NotReplayable, schedule_replay
from flows.runs import PRODUCT_TAG, runs_tagged
from tasks.notify import Expired, notify, report_failure

log = logging.getLogger(__name__)

RECENT = timedelta(hours=24)
"""Only runs that crashed this recently are resumed; older ones are the operator's."""
SWEEP_S = 30
"""How often `editorbot serve` looks for crashed runs (and once at start)."""
GAVE_UP = "Crashed twice"
EXPIRED = "Expired"
TOLD = (
    "the machine working on it stopped twice before it was done. Send the note again to "
    "try once more."
)


def _recent_runs(state_type: StateType) -> tuple[datetime, list[FlowRun]]:
    """Since when a run's end counts as recent, and the runs in `state_type` that may qualify.

    A run ends at most its approval wait after it started: older ones are not even read.
    """
    since = datetime.now(UTC) - RECENT
    started = since - timedelta(seconds=get_settings().approval_timeout_s)
    return since, runs_tagged(PRODUCT_TAG, state_types=[state_type], started_after=started)


def crashed_runs(deployed: bool) -> list[FlowRun]:
    """Recently crashed runs of the deployment (`deployed`) or executed locally from a chat."""
    since, runs = _recent_runs(StateType.CRASHED)
    return [
        run
        for run in runs
        if run.state is not None
        and run.state.timestamp >= since
        and (run.deployment_id is not None) == deployed
        # A local run from the command line has nobody to resume it but its own terminal.
        and (deployed or run.parameters.get("chat"))
    ]


def recover(run: FlowRun, resume: Callable[[UUID], object]) -> bool:
    """Resume a crashed run once, True; after its second crash, tell and close it, False.

    A run marked crashed while it was suspended at the gate is put back there instead, False.
    """
    with get_client(sync_client=True) as client:
        history = client.read_flow_run_states(run.id)
    if len(history) >= 2 and _suspended(history[-2]) and history[-1].type == StateType.CRASHED:
        _back_to_the_gate(run, crashed=history[-1], gate=history[-2])
        return False
    crashes = sum(
        1
        for before, state in zip([None, *history], history, strict=False)
        if state.type == StateType.CRASHED and not _suspended(before)
    )
    if crashes < 2:
        try:
            resume(run.id)
        except NotReplayable:
            return False  # someone replayed or ended it meanwhile
        log.warning("run %s crashed; resumed it from the cache", run.id)
        return True
    _give_up(run)
    return False


def _suspended(state: State | None) -> bool:
    """Whether the run was suspended at the gate: no process holds it while it waits."""
    return bool(state and state.is_paused() and state.state_details.pause_reschedule)


def _back_to_the_gate(run: FlowRun, crashed: State, gate: State) -> None:
    """Suspend a run again at the gate it waited at when the heartbeat automation crashed it.

    A suspended run has no process and sends no heartbeats: its Suspended state's event is
    what tells the automation it stopped on purpose. On SQLite the server can drop that event
    (a burst of 20 notes lost 4 to the database's lock: bench/README.md), and the automation
    then marks the waiting run Crashed. Nothing was lost: the same draft waits for the same
    decision, with the same deadline.
    """
    with get_client(sync_client=True) as client:
        if client.read_flow_run(run.id).state_id != crashed.id:
            return  # replayed or closed meanwhile: that stands
        # Forced: the server keeps a crashed run crashed otherwise.
        client.set_flow_run_state(run.id, gate.fresh_copy(), force=True)
    log.warning("run %s was marked crashed while it waited at the gate; it waits again", run.id)


def _give_up(run: FlowRun) -> None:
    with get_client(sync_client=True) as client:
        # Closed before the creator is told: a second sweeper finds it Failed, not Crashed,
        # and does not tell them twice. Not forced: a run replayed meanwhile stays so.
        result = client.set_flow_run_state(
            run.id,
            Failed(
                name=GAVE_UP,
                message="Its process died twice; the creator was told to send the note again. "
                "`editorbot replay` runs it once more.",
            ),
        )
        if result.state is None or result.state.name != GAVE_UP:
            return
    # Starts with GAVE_UP: the flow-run alarm's log filter counts this line (no engine logs
    # an end for a run closed from outside it).
    log.warning("%s: run %s is not resumed again; its creator is told", GAVE_UP, run.id)
    chat = run.parameters.get("chat")
    if chat:
        try:
            report_failure(ChatTarget.model_validate(chat), TOLD)
        except Exception:
            log.warning("could not tell chat %s that run %s died", chat, run.id, exc_info=True)


def close_superseded(run_id: UUID) -> None:
    """End a crashed run whose note was sent again, so it is not resumed beside the new one."""
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        if state is not None and state.is_crashed():
            # Not forced: a run a sweeper resumed meanwhile goes on, and the server says so.
            client.set_flow_run_state(
                run_id, Failed(name="Sent again", message="Its note was sent again.")
            )


def recover_crashed_runs(deployed: bool, resume: Callable[[UUID], object]) -> list[UUID]:
    """Recover every recently crashed run of the kind; the ids of those resumed."""
    return [run.id for run in crashed_runs(deployed) if recover(run, resume)]


def tell_expired_runs() -> list[UUID]:
    """Tell the creator of each recently expired run of the deployment; their ids.

    A run suspended at the gate holds no process: when nobody decides in time, the Prefect
    server fails it ("never resumed") and no code of ours runs to say so. Once told, the
    run's state is named Expired, so nobody is told twice.
    """
    since, runs = _recent_runs(StateType.FAILED)
    told = []
    for run in runs:
        state = run.state
        if (
            state is None
            or run.deployment_id is None
            or state.timestamp < since
            or state.name == EXPIRED
            or not expired(state)
        ):
            continue
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(run.id, Failed(name=EXPIRED, message=state.message))
        chat = run.parameters.get("chat")
        if chat:
            try:
                notify.fn(ChatTarget.model_validate(chat), Expired())
            except Exception:
                log.warning("could not tell chat %s that run %s expired", chat, run.id)
        told.append(run.id)
    return told


def keep_recovering_deployment_runs(stop: threading.Event, every_s: float = SWEEP_S) -> None:
    """Until `stop`: now, then every `every_s`, resume the deployment's crashed runs once
    and tell the creators of runs that expired at the gate.

    Resuming sets the run back to scheduled, and whichever runner polls first executes it.
    """
    while True:
        try:
            recover_crashed_runs(deployed=True, resume=schedule_replay)
            tell_expired_runs()
        except Exception:  # the server restarting, say: the next sweep tries again
            log.warning("looking for crashed runs failed; trying again later", exc_info=True)
        if stop.wait(every_s):
            return
