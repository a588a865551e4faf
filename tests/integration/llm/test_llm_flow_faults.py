"""Gemini misbehaving during a whole flow run: 429, 500, a timeout and invalid JSON are
ridden out to a published script; a model that never answers usefully fails the run clearly."""

import json

import pytest

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions, Script
from editorbot.storage import configured_storage
from flows.local_run import LocalRun
from harness.fakes import gemini as answers
from harness.fakes.scripted_http import Scripted
from tests.integration.llm.replies import VALID_MEDIATION, valid_opinion_json

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "data_dir")]
NOTE = "text:Mi pana, esa vaina de las redes es burda de engañosa y nadie lo dice."
OPTIONS = RunOptions(dialect="venezuelan", template="opinion")
NOT_JSON = "Claro, aquí tienes el guion: primero un gancho, luego..."


def _start(name: str) -> LocalRun:
    return LocalRun(NOTE, make_run_key("gemini-faults", name), OPTIONS)


def test_a_run_rides_out_rate_limits_server_errors_timeouts_and_bad_json(gemini, monkeypatch):
    monkeypatch.setenv("EDITORBOT_LLM_TIMEOUT_S", "1")
    slow = answers.reply(VALID_MEDIATION)
    gemini.queue(
        # Draft 0: each step's first call fails transiently; the task retries it.
        answers.rate_limited(),
        answers.reply(VALID_MEDIATION),
        answers.server_error(),
        answers.reply(valid_opinion_json()),
        # Draft 1, after a revision: a reply too slow to wait for, then prose instead of JSON,
        # which goes back to the model with the error, inside the same task attempt.
        Scripted(slow.status, slow.body, delay_s=4),
        answers.reply(VALID_MEDIATION),
        answers.reply(NOT_JSON),
        answers.reply(valid_opinion_json()),
    )
    run = _start("recovers")
    assert run.watch().is_paused()
    run.decide("revise", "Más directo al principio.")
    assert run.watch().is_paused()
    run.decide("approve")

    final = run.result(300)
    assert final.name == "Published", final.message
    assert gemini.pending == 0 and len(gemini.received) == 8
    storage = configured_storage()
    script = Script.model_validate_json(storage.get(final.result().published[0]))
    assert script.metadata.revision == 1
    assert script.metadata.retries == 1  # the invalid JSON, repaired
    assert len(storage.list("scripts/")) == 2


def test_a_model_that_never_answers_in_json_fails_the_run_with_a_sentence(gemini):
    gemini.queue(*[answers.reply(NOT_JSON) for _ in range(3)])  # EDITORBOT_LLM_MAX_ATTEMPTS
    final = _start("never-json").result(300)
    assert final.is_failed()
    assert "did not return usable mediated text in 3 attempts" in final.message, final.message
    assert len(gemini.received) == 3  # a model's refusal is not retried like an outage
    # What went back to the model each time said why its reply was refused.
    assert "JSON" in json.dumps(gemini.received[-1].body["contents"][-1], ensure_ascii=False)
    storage = configured_storage()
    assert storage.list("scripts/") == [] and storage.list("drafts/") == []
