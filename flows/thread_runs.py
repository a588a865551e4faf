"""A deployment's run executed in a thread of this process, as a runner's own process would.

Prefect keeps one suspension request per flow run id for the whole process, and the engine
watches each execution for its run being suspended (a thread that reads the server's
events). When a decision resumes a run the moment it suspended and this process executes it
again, the previous execution's watcher may still be confirming that suspension: it marks
the new execution suspended, which stops at its next step with a Pause while the server
shows it Pending or Running, so no runner and no lane ever takes it up again. Such a run is
put back in line here (tests/integration/test_thread_runs.py).
"""

import logging
from uuid import UUID

from prefect import Flow, get_client
from prefect.exceptions import Pause
from prefect.flow_engine import run_flow
from prefect.states import Scheduled

log = logging.getLogger(__name__)

RESUMING = "Resuming"
"""The server's name for the Scheduled state a decision puts a suspended run in."""


def execute_here(flow: Flow, run_id: UUID) -> None:
    """Execute the claimed run `run_id` in this thread until it ends or suspends again.

    A run stopped by a suspension older than this execution (another execution's, see the
    module) is scheduled again as a resumed run, for the next claim to execute it.
    """
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run_id)
    claimed = flow_run.state.timestamp if flow_run.state else None
    try:
        run_flow(flow, flow_run=flow_run, parameters=flow_run.parameters, return_type="state")
    except Pause as pause:
        suspended = pause.state.timestamp if pause.state else None
        if claimed is None or suspended is None or suspended >= claimed:
            raise  # suspended at its gate in this execution: the server shows it Paused
        log.warning(
            "The run %s was stopped by its earlier suspension, not a new one; it is scheduled "
            "again",
            run_id,
        )
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(run_id, Scheduled(name=RESUMING), force=True)
