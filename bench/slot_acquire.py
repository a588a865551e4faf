"""How long taking the transcription slot takes, inside a task run and outside one.

    .venv/bin/python bench/slot_acquire.py [--times 3]

A Prefect server process (as the stack runs it) with the transcription limit at 1 slot;
the slot taken and released --times in a row (held 1 s each) by plain code, then by as
many task runs of one flow run. Found while profiling issue 13: inside task runs, every
acquisition after the first waits about 2 s although the slot is free; outside them it
takes a few milliseconds. Prints each acquisition's time.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import prepare  # noqa: E402

HOME, PORT = prepare()  # before Prefect is imported

from prefect import flow, task  # noqa: E402
from prefect.concurrency.sync import concurrency  # noqa: E402

from bench import served  # noqa: E402
from bench.memory import PeakMemory  # noqa: E402
from flows.transcription_limit import ensure_transcription_limit  # noqa: E402
from tasks.recognize_speech import SLOT_LEASE_S, TRANSCRIPTION_SLOTS  # noqa: E402


def take_slot() -> float:
    """Seconds to acquire the slot; it is held 1 s, then released."""
    started = time.perf_counter()
    with concurrency(TRANSCRIPTION_SLOTS, occupy=1, lease_duration=SLOT_LEASE_S, strict=False):
        taken = time.perf_counter() - started
        time.sleep(1)
    return taken


take_slot_in_a_task = task(take_slot, name="take-slot")


@flow
def one_flow_run(times: int) -> list[float]:
    return [take_slot_in_a_task() for _ in range(times)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=3)
    args = parser.parse_args()
    with served.server(HOME, PORT, PeakMemory()):
        ensure_transcription_limit(1)
        plain = [take_slot() for _ in range(args.times)]
        in_tasks = one_flow_run(args.times)
    print("slot acquisition s, in order:")
    print(f"  plain code: {' '.join(f'{s:.2f}' for s in plain)}")
    print(f"  task runs:  {' '.join(f'{s:.2f}' for s in in_tasks)}")


if __name__ == "__main__":
    main()
