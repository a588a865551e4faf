"""Peak resident memory of process trees, and the CPU time they used, sampled from /proc (Linux)
in a background thread.

A process's own high-water mark (VmHWM) cannot be summed across processes that peak at
different moments, and it is gone once a flow run's process exits; sampling every tree's
current RSS together gives both each part's peak and the whole stack's peak at one instant.
"""

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _processes() -> tuple[dict[int, list[int]], dict[int, int], dict[int, tuple[float, float]]]:
    """Children of every process, every process's RSS in bytes and its CPU seconds: its own,
    and its children's that it waited for (an ffmpeg that came and went between two
    samples), read in one pass."""
    children, rss, cpu = defaultdict(list), {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces: the fields after its ")" are
            # state, parent id, … utime, stime, cutime, cstime (fields 14-17).
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent = int(fields[1])
            rss[int(entry.name)] = int((entry / "statm").read_text().split()[1]) * PAGE
            own, reaped = sum(map(int, fields[11:13])), sum(map(int, fields[13:15]))
            cpu[int(entry.name)] = (own * TICK_S, reaped * TICK_S)
        except (OSError, IndexError, ValueError):
            continue  # it exited while we looked
        children[parent].append(int(entry.name))
    return children, rss, cpu


def _is_transcriber(pid: int) -> bool:
    """Whether a runner's child is its transcription worker rather than a flow run."""
    try:
        return b"transcriber" in (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], ()))
    return found


class PeakMemory(threading.Thread):
    """Samples named processes until stopped; `peaks_mb()` reports the highest figures seen.

    For each name: the RSS of its whole process tree. With `children_name`, a name whose
    children are flow runs (the runner) is split: `name` is the process alone,
    `children_name` the largest single child tree (one flow run) and `transcriber` its
    transcription worker's. `stack` is the sum of all.

    `cpu_s(start, end)`: the CPU seconds each of those parts used between two times.
    """

    def __init__(self, interval_s: float = 0.2) -> None:
        super().__init__(name="peak-memory", daemon=True)
        self.interval_s = interval_s
        self.roots: dict[str, tuple[int, str | None]] = {}
        self.peaks: dict[str, int] = defaultdict(int)
        self.most_children = 0
        """The most child processes (flow runs) the watched runners had at one instant."""
        self.cpu: list[tuple[float, dict[str, float]]] = []
        """(when, CPU seconds each part had used by then), one per sample."""
        self._done = threading.Event()

    def watch(self, name: str, pid: int, children_name: str | None = None) -> None:
        self.roots[name] = (pid, children_name)

    def sample(self) -> None:
        children, rss, cpu = _processes()
        stack, runs, used = 0, 0, {}
        for name, (pid, children_name) in list(self.roots.items()):
            if pid not in rss:
                continue
            tree = sum(rss.get(p, 0) for p in _tree(pid, children))
            stack += tree
            used[name] = sum(sum(cpu.get(p, (0.0, 0.0))) for p in _tree(pid, children))
            if children_name is None:
                self.peaks[name] = max(self.peaks[name], tree)
                continue
            self.peaks[name] = max(self.peaks[name], rss[pid])
            # CPU: always-growing figures only (a child's time moves to its parent when it
            # ends): the runner's own threads, and its transcriber's tree.
            used[f"{name}, its own threads"] = cpu.get(pid, (0.0, 0.0))[0]
            for child in children.get(pid, ()):
                one = sum(rss.get(p, 0) for p in _tree(child, children))
                part = "transcriber" if _is_transcriber(child) else children_name
                runs += part == children_name
                self.peaks[part] = max(self.peaks[part], one)
                if part == "transcriber":
                    used[part] = sum(sum(cpu.get(p, (0.0, 0.0))) for p in _tree(child, children))
                    used[name] -= used[part]
        self.cpu.append((time.time(), used))
        self.peaks["stack"] = max(self.peaks["stack"], stack)
        self.most_children = max(self.most_children, runs)

    def run(self) -> None:
        while not self._done.wait(self.interval_s):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def cpu_s(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds each part used between two times (time.time()), by the samples.

        A name's figure is its whole tree's, children that came and went included; a
        runner's also splits off its own threads (the runs in threads mode, the render
        worker) and its transcriber (not counted in the runner's figure).
        """
        first: dict[str, float] = {}
        last: dict[str, float] = {}
        for at, used in self.cpu:
            if start <= at <= end:
                for part, seconds in used.items():
                    first.setdefault(part, seconds)
                    last[part] = seconds
        return {part: last[part] - first[part] for part in last}

    def peaks_mb(self) -> dict[str, int]:
        return {name: round(peak / 2**20) for name, peak in self.peaks.items()}
