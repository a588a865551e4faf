"""Which files in a directory any process opened or read, as the kernel reports it (inotify)."""

import contextlib
import ctypes
import errno
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

IN_ACCESS = 0x00000001
IN_OPEN = 0x00000020
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name

_libc = ctypes.CDLL(None, use_errno=True)


def _checked(result: int) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


@contextlib.contextmanager
def files_opened_in(directory: Path) -> Iterator[Callable[[], set[str]]]:
    """Watch `directory` for opens and reads; yields a function returning the names seen so far.

    The kernel queues the events of every process (ffmpeg's children included) until they
    are read, so asking after a command has ended still sees what it did.
    """
    fd = _checked(_libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
    seen: set[str] = set()

    def opened() -> set[str]:
        while True:
            try:
                buffer = os.read(fd, 64 * 1024)
            except OSError as error:
                if error.errno == errno.EAGAIN:
                    return set(seen)
                raise
            offset = 0
            while offset < len(buffer):
                *_, length = _EVENT.unpack_from(buffer, offset)
                name = buffer[offset + _EVENT.size : offset + _EVENT.size + length]
                seen.add(name.rstrip(b"\0").decode() or ".")  # "." for the directory itself
                offset += _EVENT.size + length

    try:
        _checked(_libc.inotify_add_watch(fd, os.fsencode(directory), IN_OPEN | IN_ACCESS))
        yield opened
    finally:
        os.close(fd)
