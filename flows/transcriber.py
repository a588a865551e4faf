"""The transcription worker: a Prefect task worker that keeps the Whisper model loaded."""

import logging
import time

from prefect.task_worker import serve

from editorbot.settings import get_settings
from editorbot.whisper import get_engine
from flows.results import results_beside_artifacts
from flows.transcription_limit import ensure_transcription_limit
from tasks.recognize_speech import recognize_speech

log = logging.getLogger(__name__)

INTAKE = 64
"""Notes a worker takes at once. It transcribes them one at a time with its one model, but
holds every note it is sent where the flows can see it (each note's progress, touched every
few seconds): a note the server handed over is never left waiting, unseen, in a worker that
died. A worker that holds this many takes no more until one is done."""


def serve_transcriber(status_port: int | None = None) -> None:
    """Load the model, then transcribe the notes flows hand over (`.delay()`) until stopped.

    `status_port` serves Prefect's task-worker status page on 127.0.0.1 (the health check).
    """
    ensure_transcription_limit(1, resize=False)
    # Loaded and run once now, not with the first note: a broken model stops the worker at
    # start, and the first note pays neither for the load nor for the model's first run.
    started = time.perf_counter()
    get_engine(get_settings()).warm_up()
    log.info("Whisper model warmed up in %.1f s", time.perf_counter() - started)
    # Where the notes handed over are read from and the transcripts written: the runners'.
    with results_beside_artifacts():
        serve(recognize_speech, limit=INTAKE, status_server_port=status_port)
