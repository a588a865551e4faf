"""Videos in the whole flow: a failed render never un-publishes, replay makes what is missing."""

import os
import shutil
import stat
import uuid

import pytest

from editorbot.run_key import make_run_key
from editorbot.schemas import RunOptions
from editorbot.storage import configured_storage
from flows.local_run import LocalRun
from flows.replay import schedule_replay
from flows.voice_to_script import VIDEO_FAILED

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

IDEA = "text:Che, el colectivo está carísimo. Nadie dice nada y todos pagan igual."


def _ffmpeg_that_fails_for(directory, marker: str, switch) -> None:
    """An ffmpeg on PATH that fails any call mentioning `marker` while `switch` exists, and
    is the real ffmpeg otherwise: a disk or a codec failing for one format only."""
    real = shutil.which("ffmpeg")
    program = directory / "ffmpeg"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ -e "{switch}" ]; then\n'
        '  for argument in "$@"; do\n'
        f'    case "$argument" in *{marker}*) echo "injected failure" >&2; exit 1;; esac\n'
        "  done\n"
        "fi\n"
        f'exec "{real}" "$@"\n'
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)


def test_a_failed_render_keeps_the_script_and_replay_renders_only_the_missing_format(
    data_dir, tmp_path, monkeypatch
):
    switch = tmp_path / "fail-wide"
    switch.touch()
    (tmp_path / "bin").mkdir()
    # The 16:9 background still is drawn at 1920x1080; no other format's call says that.
    _ffmpeg_that_fails_for(tmp_path / "bin", "1920x1080", switch)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    run_key = make_run_key("test", f"video-{uuid.uuid4().hex[:8]}")
    run = LocalRun(IDEA, run_key, RunOptions(template="provocation"))
    assert run.watch().is_paused()
    run.decide("approve")

    failed = run.result(300)
    storage = configured_storage()
    vertical = data_dir / f"video/short/{run_key}/9x16.mp4"
    assert failed.is_failed() and failed.name == VIDEO_FAILED, failed
    assert "16x9 video could not be rendered" in failed.message
    assert storage.exists(f"scripts/{run_key}.json")  # published, and it stays published
    assert vertical.is_file() and not storage.exists(f"video/long/{run_key}/16x9.mp4")
    script, rendered_at = storage.get(f"scripts/{run_key}.json"), vertical.stat().st_mtime_ns

    switch.unlink()
    replay = LocalRun.again(schedule_replay(run.id))
    final = replay.result(300)  # the reviewer's answer is kept: no second decision

    assert final.name == "Published", final.message
    assert storage.exists(f"video/long/{run_key}/16x9.mp4")
    assert vertical.stat().st_mtime_ns == rendered_at  # 9:16 was not rendered again
    assert storage.get(f"scripts/{run_key}.json") == script
    assert f"video/long/{run_key}/16x9.mp4" in final.result().published
