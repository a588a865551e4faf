"""A flow run's logs as the operator reads them: from the Prefect API, once the run has ended."""

import logging
import time
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.client.schemas.objects import Log


def run_logs(run_id: UUID | str, timeout: float = 60) -> list[Log]:
    """Every log line of the run, after its final "Finished in state" line has been stored.

    Logs reach the API in batches, after the state does: wait for the last line.
    """
    log_filter = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(str(run_id))]))
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            logs = client.read_logs(log_filter=log_filter)
            finished = [log for log in logs if log.message.startswith("Finished in state")]
            if any(log.task_run_id is None for log in finished):  # the flow run's own line
                return logs
            assert time.monotonic() < deadline, [log.message for log in logs]
            time.sleep(0.5)


def assert_one_warning(logs: list[Log], sentence: str) -> None:
    """A user's bad input: one WARNING line carrying its sentence, no ERROR, no traceback."""
    shown = [(logging.getLevelName(log.level), log.message) for log in logs]
    warnings = [message for level, message in shown if level == "WARNING"]
    assert len(warnings) == 1 and sentence in warnings[0], shown
    assert not [log for log in logs if log.level >= logging.ERROR], shown
    assert not [log for log in logs if "Traceback" in log.message], shown
