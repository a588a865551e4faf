"""An HTTP proxy in front of S3 that answers S3's 503 SlowDown / 500 InternalError on demand."""

import threading

from harness.fakes.aws_proxy import AwsProxy, ProxiedRequest, ProxyAnswer, s3_error

ERRORS = {
    503: ("SlowDown", "Please reduce your request rate."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
}


class FaultyS3(AwsProxy):
    """Forwards every request to `upstream` unless told to fail it.

    `fail_next(n)` answers the next n requests with errors (503 and 500 in turn);
    `fail_all()` answers every request so until `heal()`. `faults` counts the errors sent.
    """

    def __init__(self, upstream: str):
        self._lock = threading.Lock()
        self._to_fail, self._failing = 0, False
        self.faults = 0
        super().__init__(upstream)

    def fail_next(self, requests: int) -> None:
        with self._lock:
            self._to_fail = requests

    def fail_all(self) -> None:
        with self._lock:
            self._failing = True

    def heal(self) -> None:
        with self._lock:
            self._to_fail, self._failing = 0, False

    def answer(self, request: ProxiedRequest) -> ProxyAnswer | None:
        with self._lock:
            if not (self._failing or self._to_fail):
                return None
            self._to_fail = max(0, self._to_fail - 1)
            self.faults += 1
            status = 503 if self.faults % 2 else 500
        return s3_error(status, *ERRORS[status])
