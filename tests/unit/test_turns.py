"""Threads get `Turns` in the order they asked for it."""

import threading
import time

from editorbot.turns import Turns


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the threads never got there"
        time.sleep(0.001)


def test_waiters_get_their_turn_in_the_order_they_asked():
    turns, order = Turns(), []

    def take_turn(name: int) -> None:
        with turns:
            order.append(name)

    threads = [threading.Thread(target=take_turn, args=(n,)) for n in range(12)]
    with turns:  # held while they queue, each one behind the one started before it
        for queued, thread in enumerate(threads, start=1):
            thread.start()
            wait_until(lambda queued=queued: turns.waiting == queued)
    for thread in threads:
        thread.join(10)
    assert order == list(range(12))
    assert turns.waiting == 0


def test_a_holder_that_raises_hands_the_turn_on():
    turns = Turns()
    try:
        with turns:
            raise ValueError("the render failed")
    except ValueError:
        pass
    taken = threading.Event()

    def take_turn() -> None:
        with turns:
            taken.set()

    thread = threading.Thread(target=take_turn)
    thread.start()
    thread.join(10)
    assert taken.is_set()
