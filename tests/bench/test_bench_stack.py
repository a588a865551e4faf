"""What the stack benchmarks count: runs executed once per segment, and sampled peak memory."""

import os
import subprocess
import sys
import time

from prefect.states import Completed, Crashed, Pending, Running, Scheduled, Suspended

from bench.memory import PeakMemory
from bench.served import ran_once, segments

APPROVED = [Scheduled(), Pending(), Running(), Suspended(), Scheduled(), Pending(), Running()]


def test_an_approved_run_has_two_segments_each_running_once():
    history = [*APPROVED, Completed()]
    assert [len(part) for part in segments(history)] == [4, 4]
    assert ran_once(history)


def test_a_run_waiting_at_the_gate_has_run_once():
    assert ran_once(APPROVED[:4])


def test_a_crashed_run_started_again_before_the_gate_ran_twice():
    history = [Scheduled(), Pending(), Running(), Crashed(), Scheduled(), Pending(), Running()]
    assert not ran_once([*history, Suspended()])


def test_memory_is_counted_per_child_tree_and_summed_for_the_stack():
    # A child that really touches 100 MiB (bytes * n writes every page), then waits.
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; data = b'x' * (100 * 2**20); time.sleep(30)"]
    )
    memory = PeakMemory()
    memory.watch("parent", os.getpid(), children_name="child")
    try:
        deadline = time.monotonic() + 20
        while memory.peaks_mb().get("child", 0) < 100 and time.monotonic() < deadline:
            memory.sample()
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()
    peaks = memory.peaks_mb()
    assert peaks["child"] >= 100
    assert peaks["stack"] > peaks["child"]  # the parent's own memory is in the sum
    assert peaks["stack"] > peaks["parent"]
    assert memory.most_children >= 1


def test_cpu_is_counted_for_a_runner_with_the_children_it_waited_for():
    # A runner that spends CPU itself, then through two short-lived children it waits for
    # (as serve's renders do), each burning about the same.
    burn = "import time; end = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    script = (
        f"import subprocess, sys, time\n{burn}\n"
        f"for _ in range(2): subprocess.run([sys.executable, '-c', {burn!r}])\n"
        "time.sleep(0.5)"
    )
    runner = subprocess.Popen([sys.executable, "-c", script])
    memory = PeakMemory()
    memory.watch("runner", runner.pid, children_name="flow run")
    started = time.time()
    while runner.poll() is None:
        memory.sample()
        time.sleep(0.05)
    used = memory.cpu_s(started, time.time())

    assert 0.3 <= used["runner, its own threads"] < 1.2  # the runner's own 0.4 s
    assert used["runner"] >= used["runner, its own threads"] + 0.6  # and its children's 0.8 s
