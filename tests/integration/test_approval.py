"""Only the draft a reviewer approved is published: the approval is bound to its digest.

Real Prefect (the session's API and `editorbot serve` in its own process), real flow runs,
the real OpenAI client against a fake OpenAI-compatible model that writes a different script
when asked again, and the real Bot API client against the fake Bot API.
"""

import json
import threading
import time
from pathlib import Path

import pytest
from prefect import flow, get_client
from prefect.client.schemas.responses import SetStateStatus
from prefect.input.run_input import keyset_from_paused_state
from prefect.results import ResultRecord
from prefect.states import Paused, Running

from editorbot.drafts import read_draft
from editorbot.run_key import make_run_key
from editorbot.schemas import ChatTarget, RunOptions, Script, estimate_seconds
from editorbot.storage import open_storage
from editorbot.telegram_api import DecisionButton
from flows.approval import (
    Approval,
    DraftReplaced,
    NotWaiting,
    decide,
    pause_key,
    resume_once_open,
    waiting_draft,
)
from flows.local_run import LocalRun
from flows.runs import wait_for_end, wait_for_state
from flows.serve import submit
from flows.stages import Drafted
from harness.fake_secrets import TELEGRAM_TOKEN
from harness.fakes import openai_compat as answers
from harness.fakes.openai_compat import FakeOpenAICompatible
from harness.fakes.telegram import FakeTelegram
from harness.runner import served_deployment, task_states

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
IDEA = "text:Las redes nos venden atajos y casi nunca llevan a ninguna parte."
OPTIONS = RunOptions(dialect="neutral", template="opinion")
CHAT = ChatTarget(chat_id=5151, user_id=5151)
MEDIATION = json.dumps({"text": IDEA.removeprefix("text:"), "changes": []}, ensure_ascii=False)
ROLES = ("hook", "argument", "support", "support", "conclusion")


def _opinion(sentence: str) -> str:
    """A valid opinion script (five beats of 12 s) whose every beat says `sentence`."""
    text = " ".join((sentence.split() * 30)[:30]) + "."
    beats = [
        {
            "beat_id": f"b{number:02d}",
            "role": role,
            "text": text,
            "estimated_duration_seconds": estimate_seconds(text),
            "pace": "medium",
        }
        for number, role in enumerate(ROLES, start=1)
    ]
    return json.dumps({"beats": beats}, ensure_ascii=False)


FIRST_WORDS = "Las redes nos venden atajos que casi nunca llevan a ninguna parte"
OTHER_WORDS = "Nadie te cuenta que el atajo de las redes sale siempre más caro"


def _results_holding(results: Path, kinds: tuple[type, ...]) -> list[Path]:
    """The persisted task results, in `results`, whose value is one of `kinds`."""
    return [
        path
        for path in results.iterdir()
        if path.is_file() and isinstance(ResultRecord.deserialize(path.read_bytes()).result, kinds)
    ]


def _draft_digests(telegram: FakeTelegram, count: int) -> list[str]:
    """The digests the first `count` drafts' buttons carry, in the order they were sent."""
    drafts = telegram.wait_for(
        lambda c: c.method == "sendMessage" and "reply_markup" in c.params, timeout=300, count=count
    )
    digests = []
    for draft in drafts:
        keyboard = draft.params["reply_markup"]["inline_keyboard"]
        buttons = {DecisionButton.parse(b["callback_data"]) for row in keyboard for b in row}
        assert {b.decision for b in buttons} == {"approve", "revise", "reject"}
        (digest,) = {b.draft for b in buttons}
        digests.append(digest)
    return digests


def _suspended_on(run_id, draft: str, attempt: int = 0):
    """Until the run is suspended waiting on `draft`, on that gate's `attempt`-th asking."""
    state = wait_for_state(
        run_id,
        lambda s: s.is_paused() and waiting_draft(s) == draft and _attempt(s) == attempt,
        timeout_s=300,
    )
    assert state.name == "Suspended"
    return state


def _attempt(state) -> int:
    parts = state.state_details.pause_key.split("-")
    return int(parts[3]) if len(parts) > 3 else 0


def test_a_resumed_run_that_drafts_differently_asks_again_and_publishes_only_the_approved(
    tmp_path,
):
    data = tmp_path / "data"
    with FakeOpenAICompatible() as model, FakeTelegram(TELEGRAM_TOKEN) as telegram:
        settings = {
            "EDITORBOT_STORAGE": f"file://{data}",
            "EDITORBOT_TEXT_ENGINE": "openai",
            "EDITORBOT_LLM_BASE_URL": f"{model.url}/v1",
            "EDITORBOT_LLM_MODEL": "local-model",
            "EDITORBOT_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "EDITORBOT_TELEGRAM_API_URL": telegram.api_url,
            "EDITORBOT_TELEGRAM_FILE_URL": telegram.file_url,
        }
        model.queue(answers.reply(MEDIATION), answers.reply(_opinion(FIRST_WORDS)))
        with served_deployment(tmp_path / "runner", **settings):
            run_key = make_run_key("approval", "redrafted")
            run = submit(IDEA, run_key, OPTIONS, "redrafted-note", chat=CHAT)
            (first,) = _draft_digests(telegram, 1)
            _suspended_on(run.id, first)

            # The draft's persisted results are lost (results/ wiped, a new volume): the
            # resumed run must draft again, and the model writes other words this time.
            lost = _results_holding(data / "results", (Drafted, Script))
            assert len(lost) == 2, lost  # the draft stage's and its structure step's
            for path in lost:
                path.unlink()
            model.queue(answers.reply(_opinion(OTHER_WORDS)))
            decide(run.id, "approve", draft=first)  # the reviewer approves what they read

            second = _draft_digests(telegram, 2)[1]
            assert second != first
            _suspended_on(run.id, second)  # asked again, on the new draft
            assert not (data / "scripts").exists()  # nothing unreviewed was published
            assert task_states(run.id, "structure") == ["Completed", "Completed"]
            assert task_states(run.id, "mediate") == ["Completed", "Cached"]
            storage = open_storage(f"file://{data}")
            assert read_draft(storage, run_key).digest == second
            assert OTHER_WORDS.split()[0] in read_draft(storage, run_key).markdown

            # The first draft's button, pressed now, decides nothing.
            with pytest.raises(DraftReplaced):
                decide(run.id, "approve", draft=first)
            # Nor does the Prefect UI's form of a tab still showing the first draft: the
            # run takes the answer, finds it names another draft, and waits again.
            # (The UI shows the form once its schema is saved: resume_once_open waits for it.)
            with get_client(sync_client=True) as client:
                stale = {"decision": "approve", "notes": "", "draft": first}
                assert resume_once_open(client, run.id, stale).status == SetStateStatus.ACCEPT
            _suspended_on(run.id, second, attempt=1)
            assert not (data / "scripts").exists()

            decide(run.id, "approve", draft=second)
            final = wait_for_end(run.id)
        assert final.name == "Published", final.message
        assert model.pending == 0
    published = Script.model_validate_json((data / "scripts" / f"{run_key}.json").read_text())
    assert published.beats[0].text.startswith(OTHER_WORDS.split()[0])
    assert (data / "scripts" / f"{run_key}.md").read_text() == read_draft(storage, run_key).markdown


def test_a_form_approval_without_the_digest_publishes_nothing_until_the_draft_is_named(data_dir):
    run = LocalRun(IDEA, make_run_key("approval", "unnamed"), OPTIONS)
    assert run.watch().is_paused()
    with get_client(sync_client=True) as client:
        draft = waiting_draft(client.read_flow_run(run.id).state)
        # What the UI form sends when its `draft` field was emptied.
        unnamed = {"decision": "approve", "notes": ""}
        assert resume_once_open(client, run.id, unnamed).status == SetStateStatus.ACCEPT
    state = wait_for_state(
        run.id, lambda s: s.is_paused() and s.state_details.pause_key.endswith("-1")
    )
    assert waiting_draft(state) == draft
    assert not (data_dir / "scripts").exists()
    with pytest.raises(DraftReplaced):
        run.decide("approve", draft="0" * 16)
    assert run.decide("approve", draft=draft) == draft
    assert run.result(120).name == "Published"
    with pytest.raises(NotWaiting):
        run.decide("approve")


@flow
def _gate_opening() -> None:
    """Only its name is used: the test below plays the gate's steps on a run of it."""


def test_a_decision_pressed_while_the_gate_opens_is_taken_once_the_gate_is_open():
    """Prefect marks a run Paused before it saves the gate's form: a decision made in that
    moment (a button pressed as the draft arrives) waits for the form instead of being lost."""
    digest = "0123456789abcdef"
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(_gate_opening, state=Running())
        paused = Paused(timeout_seconds=600, pause_key=pause_key(1, digest))
        keyset = keyset_from_paused_state(paused)
        paused.state_details.run_input_keyset = keyset
        client.set_flow_run_state(run.id, paused, force=True)
    decided: list[object] = []
    pressed = threading.Thread(
        target=lambda: decided.append(_outcome(lambda: decide(run.id, "approve", draft=digest)))
    )
    pressed.start()
    time.sleep(1)  # the press reaches the server before the form is saved
    Approval.save(keyset, flow_run_id=run.id)  # the gate's last step
    pressed.join(timeout=60)
    assert decided == [digest]
    answer = Approval.load(keyset, flow_run_id=run.id)
    assert (answer.decision, answer.draft) == ("approve", digest)


def _outcome(call):
    try:
        return call()
    except Exception as error:  # the test asserts on what came out, error or digest
        return error
