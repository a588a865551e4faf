"""What a failed run leaves in its log: a user's error is one warning, a bug keeps its traceback."""

import logging

import pytest
from prefect import flow, task

import flows  # noqa: F401 - as in every process that runs our flows: installs the log filter
from editorbot.errors import BadAudio
from tests.run_logs import assert_one_warning, run_logs

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
REFUSAL = "This note is not one we can use; please send it again."


@task
def refuse_the_note() -> None:
    raise BadAudio(REFUSAL)


@task
def break_down() -> None:
    raise RuntimeError("a bug of ours")


@task(retries=1, retry_delay_seconds=0)
def refuse_after_a_retry() -> None:  # Prefect's "Retries are exhausted" line, with traceback
    raise BadAudio(REFUSAL)


@flow
def refusing() -> None:
    refuse_the_note()


@flow
def refusing_after_retries() -> None:
    refuse_after_a_retry()


@flow
def breaking() -> None:
    break_down()


@pytest.mark.parametrize("failing", [refusing, refusing_after_retries], ids=lambda f: f.name)
def test_a_users_error_is_one_warning_line_without_traceback(failing):
    state = failing(return_state=True)
    assert state.is_failed()
    assert_one_warning(run_logs(state.state_details.flow_run_id), REFUSAL)


def test_an_error_of_ours_keeps_its_level_and_traceback():
    state = breaking(return_state=True)
    assert state.is_failed()
    logs = run_logs(state.state_details.flow_run_id)
    errors = [log.message for log in logs if log.level >= logging.ERROR]
    assert any("RuntimeError" in message and "Traceback" in message for message in errors), logs
