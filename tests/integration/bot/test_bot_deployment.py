"""The bot submitting to the served deployment: a runner process executes the note's flow."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterTags,
    TaskRunFilter,
    TaskRunFilterTags,
)

from bot.app import build_application
from bot.submission import DeploymentSubmission, note_tag
from editorbot.schemas import RunOptions, Script
from editorbot.storage import open_storage, preferences_key, script_key
from flows.runs import settled
from harness.runner import served_deployment, task_states
from tests.integration.bot.conftest import CREATOR, TOKEN, Creator, RunningBot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


def _runner(telegram, tmp_path, **env: str):
    """`editorbot serve` on the test's Telegram and Prefect API, with `env` (its storage...)."""
    return served_deployment(
        tmp_path / "runner-prefect",
        EDITORBOT_TELEGRAM_TOKEN=TOKEN,
        EDITORBOT_TELEGRAM_API_URL=telegram.api_url,
        EDITORBOT_TELEGRAM_FILE_URL=telegram.file_url,
        **env,
    )


@contextlib.contextmanager
def _bot_on_the_deployment(bot_settings) -> Iterator[None]:
    """The bot in deployment mode, running for the block."""
    submission = DeploymentSubmission()
    bot = RunningBot(build_application(bot_settings, submission), submission)
    bot.start()
    try:
        yield
    finally:
        bot.stop()


@pytest.fixture
def runner(telegram, data_dir, tmp_path):
    """`editorbot serve` sharing the bot's storage, Telegram and Prefect API."""
    with _runner(telegram, tmp_path, EDITORBOT_STORAGE=f"file://{data_dir}"):
        yield


def test_a_note_runs_on_the_deployment_and_is_approved_from_the_chat(
    telegram, bot_settings, runner, data_dir
):
    with _bot_on_the_deployment(bot_settings):
        creator = Creator(telegram, CREATOR)
        creator.send_voice(unique_id="served-note")
        draft = creator.wait_draft(timeout=240)
        creator.press(draft, "Approve")
        files = creator.documents(3, timeout=240)
    names = sorted(d.params["document"]["filename"] for d in files)
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "md", "srt"]
    assert len(list((data_dir / "scripts").rglob("*.json"))) == 1
    # Resuming replayed the flow from the top; the creator still got one draft, not two.
    drafts = [
        c for c in creator.sent("sendMessage") if "approve:" in str(c.params.get("reply_markup"))
    ]
    assert len(drafts) == 1
    assert len(creator.documents(3)) == 3  # and the files once


def test_a_note_takes_the_whole_path_in_s3_under_its_roles_statements(
    telegram, bot_settings, aws, s3_bucket, monkeypatch, tmp_path
):
    """Preferences, draft, revision, approval and publication, and Prefect's results, all in
    a bucket the bot and the runner reach with only their roles' statements."""
    storage_url = f"s3://{s3_bucket}"
    in_s3 = {"EDITORBOT_STORAGE": storage_url, "EDITORBOT_S3_ENDPOINT_URL": aws.endpoint}
    for name, value in in_s3.items():
        monkeypatch.setenv(name, value)  # the bot's own reads and writes (preferences)
    note = f"iam-{uuid.uuid4().hex[:8]}"
    with _runner(telegram, tmp_path, **in_s3), _bot_on_the_deployment(bot_settings):
        creator = Creator(telegram, CREATOR)
        creator.send_text("/dialect")
        creator.press(creator.wait_reply("Which Spanish"), "rioplatense")
        creator.wait_reply("dialect is now rioplatense", method="editMessageText")
        creator.send_voice(unique_id=note)
        first = creator.wait_draft(timeout=240)
        creator.press(first, "Revise")
        creator.wait_reply("What should change?")
        creator.send_text("inflación -> subida de precios")
        second = creator.wait_draft(2, timeout=240)
        creator.press(second, "Approve")
        creator.documents(3, timeout=240)

    storage = open_storage(storage_url, s3_endpoint_url=aws.endpoint)  # as the runner's role
    assert load_options(storage, CREATOR).dialect == "rioplatense"
    (run,) = runs_tagged(note_tag(note))
    run_key = run.parameters["run_key"]
    script = Script.model_validate_json(storage.get(script_key(run_key, "json")))
    assert script.dialect == "rioplatense"
    assert script.metadata.reviewer_notes == ["inflación -> subida de precios"]
    assert storage.list("results/"), "Prefect's result block wrote nothing to results/"
    # Twice resumed (revise, approve), each time from the top: the note heard, from results/.
    assert task_states(run.id, "hear") == ["Completed", "Cached", "Cached"]
    assert task_states(run.id, "transcribe") == ["Completed"]

    # Missing keys were read as S3 answers them to this role, 403, and handled as missing:
    # the creator had no preferences yet, and each step's result was not cached yet.
    refused = [r for r in aws.proxy.refusals if r.bucket == s3_bucket]
    assert any(r.key == preferences_key(CREATOR) for r in refused), refused
    assert any(r.key.startswith("results/") and r.method == "HEAD" for r in refused), refused
    assert {r.action for r in refused} == {"s3:ListBucket"}, refused


def load_options(storage, user_id: int) -> RunOptions:
    return RunOptions.model_validate_json(storage.get(preferences_key(user_id)))


def runs_tagged(tag: str) -> list:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[tag]))
        )


def _preview_runs(run_key: str) -> list:
    """The preview task runs of a run key (they belong to no flow run: flows/previews.py),
    once all are recorded (the server records them in batches)."""

    def read() -> list:
        with get_client(sync_client=True) as client:
            return client.read_task_runs(
                task_run_filter=TaskRunFilter(tags=TaskRunFilterTags(all_=[f"run-key:{run_key}"]))
            )

    runs = settled(read, key=lambda runs: sorted((str(t.id), str(t.state_id)) for t in runs))
    return [t for t in runs if t.name.startswith("render_preview")]


def test_on_the_deployment_a_decision_does_not_wait_for_the_preview_nor_asks_for_it_again(
    telegram, bot_settings, data_dir, tmp_path, preview_ffmpeg
):
    """The preview is rendered by serve's render worker while the run is suspended at the
    gate; the decision resumes the run before the preview is done, and the resumed run,
    passing its gate again, does not ask for a second one."""
    preview_ffmpeg.hold()
    with (
        _runner(
            telegram, tmp_path, EDITORBOT_STORAGE=f"file://{data_dir}", PATH=preview_ffmpeg.path
        ),
        _bot_on_the_deployment(bot_settings),
        # Released before the runner stops, even when the test fails: a render still held
        # then would be killed holding the session's render slot.
        contextlib.closing(preview_ffmpeg),
    ):
        creator = Creator(telegram, CREATOR)
        creator.send_text("Che, el colectivo está carísimo y nadie dice nada.")
        draft = creator.wait_draft(timeout=240)
        creator.press(draft, "Approve")
        creator.documents(2, timeout=240)  # published, the preview still rendering
        assert creator.sent("sendVideo") == []
        preview_ffmpeg.release()
        creator.wait_reply("Your videos are below", timeout=240, method="editMessageText")
        videos = creator.videos(3)
    (stored,) = data_dir.glob("drafts/**/preview-0.mp4")
    run_key = str(stored.parent.relative_to(data_dir / "drafts"))
    (preview,) = [v for v in videos if v.params["caption"].startswith("Preview of draft 1")]
    assert telegram.calls.index(draft) < telegram.calls.index(preview)
    (preview_run,) = _preview_runs(run_key)
    assert preview_run.flow_run_id is None and preview_run.state.name == "Completed"
    assert len(creator.sent("sendVideo")) == 3
