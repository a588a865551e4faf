"""The serve process's resumption lane: approvals publish while other runs wait to render.

Real Prefect (the session's API) and a real `editorbot serve` process; typed notes, so no
model is needed.
"""

import time

import pytest

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from editorbot.storage import script_key
from flows.approval import decide
from flows.runs import wait_for_end, wait_for_state
from flows.serve import submit
from harness.runner import served_deployment
from tasks.global_slots import held_slot
from tasks.render_video import RENDER_SLOTS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]
TYPED = "text:Che, el colectivo está carísimo y nadie dice nada."
OPTIONS = RunOptions(language="es", dialect="rioplatense", template="provocation")


def test_approvals_publish_while_earlier_approved_runs_wait_for_the_render_slot(tmp_path):
    data = tmp_path / "data"
    keys = [make_run_key("lane", f"approved{n}") for n in range(4)]
    # No --resume-slots: the default is what the stack runs. One run slot, as a burst leaves
    # the runner (its slots held by new notes): it can take one resumed run, no more.
    with served_deployment(
        tmp_path / "runner",
        "--run-slots",
        "1",
        "--transcribers",
        "0",
        EDITORBOT_STORAGE=f"file://{data}",
    ):
        runs = [submit(TYPED, key, OPTIONS, f"lane-{key}") for key in keys]
        for run in runs:
            wait_for_state(run.id, lambda s: s.is_paused(), timeout_s=300)
        # The stack's one render slot, taken here: every approved run stops before its
        # videos, holding its thread or run slot. Two lane threads (the old default) and the
        # run slot published three of the four.
        with held_slot(RENDER_SLOTS):
            for run in runs:
                decide(run.id, "approve")
            scripts = [data / script_key(key, "json") for key in keys]
            deadline = time.monotonic() + 180
            while not all(script.is_file() for script in scripts):
                assert time.monotonic() < deadline, [s.name for s in scripts if s.is_file()]
                time.sleep(0.5)
        for run in runs:
            assert wait_for_end(run.id, timeout_s=600).name == "Published"
