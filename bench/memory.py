"""Peak resident memory of process trees, sampled from /proc (Linux) in a background thread.

A process's own high-water mark (VmHWM) cannot be summed across processes that peak at
different moments, and it is gone once a flow run's process exits; sampling every tree's
current RSS together gives both each part's peak and the whole stack's peak at one instant.
"""

import os
import threading
from collections import defaultdict
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _processes() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Children of every process, and every process's RSS in bytes, read in one pass."""
    children, rss = defaultdict(list), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces: the parent id follows its ")".
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            rss[int(entry.name)] = int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue  # it exited while we looked
        children[parent].append(int(entry.name))
    return children, rss


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
    """

    def __init__(self, interval_s: float = 0.2) -> None:
        super().__init__(name="peak-memory", daemon=True)
        self.interval_s = interval_s
        self.roots: dict[str, tuple[int, str | None]] = {}
        self.peaks: dict[str, int] = defaultdict(int)
        self.most_children = 0
        """The most child processes (flow runs) the watched runners had at one instant."""
        self._done = threading.Event()

    def watch(self, name: str, pid: int, children_name: str | None = None) -> None:
        self.roots[name] = (pid, children_name)

    def sample(self) -> None:
        children, rss = _processes()
        stack, runs = 0, 0
        for name, (pid, children_name) in list(self.roots.items()):
            if pid not in rss:
                continue
            tree = sum(rss.get(p, 0) for p in _tree(pid, children))
            stack += tree
            if children_name is None:
                self.peaks[name] = max(self.peaks[name], tree)
                continue
            self.peaks[name] = max(self.peaks[name], rss[pid])
            for child in children.get(pid, ()):
                one = sum(rss.get(p, 0) for p in _tree(child, children))
                part = "transcriber" if _is_transcriber(child) else children_name
                runs += part == children_name
                self.peaks[part] = max(self.peaks[part], one)
        self.peaks["stack"] = max(self.peaks["stack"], stack)
        self.most_children = max(self.most_children, runs)

    def run(self) -> None:
        while not self._done.wait(self.interval_s):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def peaks_mb(self) -> dict[str, int]:
        return {name: round(peak / 2**20) for name, peak in self.peaks.items()}
