"""A note from Telegram to a published script through each approver, on the whole stack.

Every part is its own process: the Prefect server (basic auth), `editorbot serve`, the bot
polling the fake Bot API, the `editorbot` CLI and Chromium on the Prefect UI.
"""

import re
import subprocess
import time
from collections import Counter

import pytest
from prefect import get_client

from editorbot.run_key import run_key_slug
from flows.runs import wait_for_end, wait_for_state
from harness.stack import EDITORBOT, ROOT, child_env
from tests.e2e.ui import browser_page, log_in, open_resume_form, submit_resume_form
from tests.system.conftest import editorbot, file_names, latest_run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("runner", "bot")]
NOTE = ROOT / "samples" / "nota_venezolana.ogg"
IDEA = "Che, ayer tomé el colectivo y el boleto costaba el doble que el mes pasado."


def _waiting_run(creator):
    """The creator's run once its draft is in the chat and the run waits at the gate."""
    draft = creator.wait_draft(timeout=300)
    run = latest_run(creator.user["id"])
    wait_for_state(run.id, lambda s: s.is_paused())
    return draft, run


def test_a_voice_note_is_published_after_the_creator_approves_it_in_the_chat(creator, stack_data):
    creator.send_voice(unique_id="stack-note")
    draft = creator.wait_draft(timeout=300)
    creator.press(draft, "Approve")
    files = creator.documents(3, timeout=300)
    assert [name.rsplit(".", 1)[1] for name in file_names(files)] == ["json", "md", "srt"]
    run_key = latest_run(creator.user["id"]).parameters["run_key"]
    assert (stack_data / "scripts" / f"{run_key}.json").is_file()


def test_an_operator_approves_a_draft_with_the_cli(creator, server, stack_data, stack_dir):
    note = creator.send_text(f"{IDEA} (CLI)")
    _, run = _waiting_run(creator)
    # As an operator would: find the run in `editorbot runs` by the note's run key.
    listed = editorbot(server, stack_dir / "cli", "runs")
    assert listed.returncode == 0, listed.stderr
    chat_message = f"/{note['chat']['id']}-{note['message_id']}"
    line = next(line for line in listed.stdout.splitlines() if chat_message in line)
    assert line.split()[:2] == [str(run.id), "Suspended"]

    approved = editorbot(server, stack_dir / "cli", "approve", str(run.id))
    assert approved.returncode == 0, approved.stderr
    assert f"Sent approve to run {run.id}" in approved.stderr

    run_key = run.parameters["run_key"]
    name = run_key_slug(run_key)
    # A typed idea has no subtitles: the script as Markdown and as JSON.
    assert file_names(creator.documents(2, timeout=300)) == [f"{name}.json", f"{name}.md"]
    assert wait_for_end(run.id).name == "Published"
    assert (stack_data / "scripts" / f"{run_key}.json").is_file()


def test_a_reviewer_approves_a_draft_in_the_prefect_ui(creator, server, stack_data):
    creator.send_text(f"{IDEA} (UI)")
    _, run = _waiting_run(creator)
    with browser_page() as page:
        log_in(page, server.api_url, server.auth)
        submit_resume_form(open_resume_form(page, server.api_url, run.id))
    assert wait_for_end(run.id).name == "Published"
    assert len(creator.documents(2, timeout=300)) == 2
    assert (stack_data / "scripts" / f"{run.parameters['run_key']}.json").is_file()


def test_approvers_answering_at_once_take_one_decision_and_the_others_are_told(
    creator, server, telegram, stack_data, stack_dir
):
    creator.send_text(f"{IDEA} (race)")
    draft, run = _waiting_run(creator)
    # How long the CLI takes to start, so its answers land with the chat's and the UI's.
    started = time.monotonic()
    assert editorbot(server, stack_dir / "cli", "runs").returncode == 0
    cli_start_s = time.monotonic() - started
    cli_env = child_env(PREFECT_HOME=str(stack_dir / "cli"), **server.client_env)
    with browser_page() as page:
        log_in(page, server.api_url, server.auth)
        form = open_resume_form(page, server.api_url, run.id)
        operators = {
            decision: subprocess.Popen(
                [*EDITORBOT, decision, str(run.id)],
                env=cli_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for decision in ("approve", "reject")
        }
        try:
            time.sleep(cli_start_s)
            creator.press(draft, "Approve")
            form.get_by_role("button", name="Submit").click()
            told = {}
            for decision, operator in operators.items():
                said = operator.communicate(timeout=120)[1]
                told[decision] = (operator.returncode, said)
        finally:
            for operator in operators.values():
                operator.kill()
        final = wait_for_end(run.id)
        page.reload()  # the reviewer sees how the run ended, whoever decided
        page.get_by_text(final.name).first.wait_for()
    in_chat = telegram.wait_for(
        lambda c: (
            c.method == "editMessageText"
            and c.params.get("message_id") == draft.result["message_id"]
            and ("Approved by" in c.params["text"] or "Too late" in c.params["text"])
        ),
        timeout=120,
    )[0].params["text"]

    # One decision was taken: whoever says it won is alone, and the run ended its way.
    winners = [decision for decision, (code, _) in told.items() if code == 0]
    if "Approved by" in in_chat:
        winners.append("chat")
    assert len(winners) <= 1, (winners, told, in_chat)
    if final.name == "Rejected":
        assert winners == ["reject"], (told, in_chat)
    else:  # the approving operator, the chat, or (nobody else having won) the UI
        assert final.name == "Published" and winners != ["reject"], (final, told)
    for code, said in (told[d] for d in told if d not in winners):
        assert code == 2 and "is not waiting for approval" in said, said
    if "chat" not in winners:
        assert "Too late for this button" in in_chat, in_chat
    with get_client(sync_client=True) as client:
        history = client.read_flow_run_states(run.id)
    assert [s.name for s in history].count("Resuming") == 1, [s.name for s in history]

    # Published at most once: one script, and the chat got one set of files or none.
    run_key = run.parameters["run_key"]
    published = final.name == "Published"
    assert (stack_data / "scripts" / f"{run_key}.json").is_file() == published
    assert len(creator.sent("sendDocument")) == (2 if published else 0)


def test_an_operator_with_a_wrong_auth_string_is_told_so_in_one_sentence(server, stack_dir):
    wrong = "operator:not-the-servers-fake-password"
    env = child_env(
        PREFECT_HOME=str(stack_dir / "wrong-auth"),
        PREFECT_API_URL=server.api_url,
        PREFECT_API_AUTH_STRING=wrong,
    )
    done = subprocess.run(
        [*EDITORBOT, "runs"], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        "editorbot: the Prefect server refused our PREFECT_API_AUTH_STRING (401)"
    ), done.stderr
    assert "Traceback" not in done.stderr
    assert wrong.split(":")[1] not in done.stderr


def test_the_cli_reports_every_step_of_a_run_on_the_served_server(server, stack_dir):
    """The served server records task runs in batches, a second late: `editorbot process`
    against it still reports each step's end, the last ones included."""
    data = stack_dir / "cli-process"
    done = editorbot(
        server, stack_dir / "cli", "--data-dir", str(data), "process", str(NOTE), "--approve"
    )
    assert done.returncode == 0, done.stderr
    reported: dict[str, Counter] = {}
    for line in done.stderr.splitlines():
        if found := re.fullmatch(r"  (\w+) +(\w+)", line):
            reported.setdefault(found[1], Counter())[found[2]] += 1
    assert {"publish", "render_video", "export_timeline"} <= reported.keys(), done.stderr
    for step, states in reported.items():
        # Every step seen running was also seen ending.
        assert states["Running"] <= states.total() - states["Running"] - states["Pending"], step
    assert reported["render_video"]["Completed"] == 2, done.stderr  # 9:16 and 16:9
