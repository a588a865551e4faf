"""Hostile notes are refused with one sentence, and nothing they point at is opened."""

import contextlib
import errno
import socket
import subprocess
import time

import pytest

from editorbot.audio import SAMPLE_RATE, _decode, clean_audio
from editorbot.errors import BadAudio
from harness.hostile_notes import HOSTILE_INPUTS, LYING_SECONDS, lures_in, sdp_port
from tests.bad_inputs import MAX_AUDIO_SECONDS
from tests.conftest import DATA
from tests.opened_files import files_opened_in

SILENCE_DBFS = -50.0
FOLLOWED = [hostile for hostile in HOSTILE_INPUTS if hostile.lures]


@pytest.mark.parametrize("hostile", FOLLOWED, ids=str)
def test_plain_ffprobe_opens_what_the_file_names(hostile_inputs, hostile):
    """The corpus is hostile for real: ffprobe called as we used to call it opens its lures."""
    note = hostile_inputs[hostile.name]
    with files_opened_in(lures_in(hostile_inputs)) as opened:
        subprocess.run(
            ["ffprobe", "-v", "error", *hostile.follow_with, str(note)],
            capture_output=True,
            timeout=60,
        )
        assert opened() & set(hostile.lures), opened()


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def test_plain_ffprobe_listens_where_the_sdp_note_says(hostile_inputs):
    """An SDP note opens no file but a UDP socket on every interface, once rtp is allowed."""
    (sdp,) = [hostile for hostile in HOSTILE_INPUTS if hostile.name == "sdp"]
    port = sdp_port(hostile_inputs["sdp"])
    assert not _port_taken(port)
    listening = subprocess.Popen(
        ["ffprobe", "-v", "error", *sdp.follow_with, str(hostile_inputs["sdp"])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _port_taken(port):  # ffprobe then waits for RTP packets that never come
            assert listening.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        listening.kill()
        listening.wait()


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS, ids=str)
def test_hostile_note_is_refused_with_one_sentence_and_opens_nothing(hostile_inputs, hostile):
    data = hostile_inputs[hostile.name].read_bytes()
    with files_opened_in(lures_in(hostile_inputs)) as opened:
        with pytest.raises(BadAudio) as refused:
            clean_audio(data, MAX_AUDIO_SECONDS, SILENCE_DBFS)
        assert opened() == set()
    message = str(refused.value)
    assert hostile.reason in message, message
    assert message.endswith(".") and "\n" not in message


def test_sdp_note_is_refused_without_listening(hostile_inputs):
    """Refused before any socket: the port stays free for us to hold throughout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        # An ffmpeg that tried to listen there would fail, and say something else.
        held.bind(("0.0.0.0", sdp_port(hostile_inputs["sdp"])))
        with pytest.raises(BadAudio) as refused:
            clean_audio(hostile_inputs["sdp"].read_bytes(), MAX_AUDIO_SECONDS, SILENCE_DBFS)
    assert "refers to other files" in str(refused.value)


def test_decoding_stops_a_second_past_the_limit_whatever_the_header_says(hostile_inputs):
    """The bomb's header says 5 s; it holds 10 hours, of which one limit and a second decode."""
    bomb = hostile_inputs["flac-bomb"]
    declared = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", bomb],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(declared.stdout) == LYING_SECONDS
    samples = _decode(bomb, "flac", MAX_AUDIO_SECONDS, timeout_s=120)
    assert len(samples) == (MAX_AUDIO_SECONDS + 1) * SAMPLE_RATE
    with pytest.raises(BadAudio, match=r"lasts more than 0\.5 minutes; the limit is 0\.5"):
        clean_audio(bomb.read_bytes(), MAX_AUDIO_SECONDS, SILENCE_DBFS)


def test_a_decoder_past_its_time_is_stopped_with_a_sentence():
    with pytest.raises(BadAudio) as refused:
        clean_audio((DATA / "librivox_26s.ogg").read_bytes(), 600, SILENCE_DBFS, timeout_s=0.001)
    assert str(refused.value).startswith("Reading this recording took more than 0.001 seconds")


def test_a_format_outside_the_list_is_named_in_the_refusal(tmp_path):
    """AIFF is audio, but not what phones and Telegram send: refused, and named."""
    with contextlib.chdir(tmp_path):
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", DATA / "librivox_26s.ogg", "-t", "2", "note.aiff"],
            check=True,
        )
        with pytest.raises(BadAudio, match=r"format \(aiff\) is not one we take"):
            clean_audio((tmp_path / "note.aiff").read_bytes(), 600, SILENCE_DBFS)
