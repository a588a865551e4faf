"""A lock that threads get in the order they asked for it."""

import threading
from collections import deque
from types import TracebackType


class Turns:
    """One holder at a time, first come, first served.

    `threading.Lock` wakes any of its waiters: in a burst the transcription worker left one
    note waiting 139 s while notes handed over after it were transcribed (bench/README.md).
    Notes and renders are worth taking in the order they came.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: deque[object] = deque()  # the holder first, then the waiters in order

    @property
    def waiting(self) -> int:
        """Threads queued behind the holder."""
        with self._changed:
            return max(len(self._queue) - 1, 0)

    def __enter__(self) -> "Turns":
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket:
                    self._changed.wait()
            except BaseException:  # interrupted while waiting: leave the queue, wake the rest
                self._queue.remove(ticket)
                self._changed.notify_all()
                raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._changed:
            self._queue.popleft()
            self._changed.notify_all()
