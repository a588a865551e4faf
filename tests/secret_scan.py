"""A pytest plugin: the session fails if a fake secret of harness/fake_secrets.py shows up in a
log record of any test, or in the run logs the session's Prefect server stored.

Registered from tests/conftest.py. It reads records as they reach the root logger, so a
record our RedactSecrets filter has already rewritten (a handler installed by
editorbot.logs) is seen redacted, as a reader of the logs would see it.
"""

import logging

import pytest

from editorbot.logs import OUR_PACKAGES
from harness.fake_secrets import SECRETS

PLUGIN_NAME = "secret-scan"


def needles(secrets: dict[str, str]) -> list[tuple[str, str]]:
    """(name, text) pairs to look for: each secret, and the part after the colon of a
    `user:password` or Telegram `id:secret` value, which leaks alone (decoded basic auth,
    a URL-quoted token)."""
    found = []
    for name, value in secrets.items():
        found.append((name, value))
        if value.count(":") == 1 and len(value.split(":")[1]) >= 8:
            found.append((f"{name} (the part after ':')", value.split(":")[1]))
    return found


def _text_of(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a bad format string: look at both halves as they are
        text = f"{record.msg} {record.args}"
    if record.exc_info and not record.exc_text:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return "\n".join(filter(None, (text, record.exc_text, record.stack_info)))


class _ScanHandler(logging.Handler):
    def __init__(self, scan: "SecretScan") -> None:
        super().__init__(logging.NOTSET)
        self.scan = scan

    def emit(self, record: logging.LogRecord) -> None:
        self.scan.records += 1
        self.scan.check(_text_of(record), f"logger {record.name!r}")


class SecretScan:
    def __init__(self, secrets: dict[str, str]) -> None:
        self.needles = needles(secrets)
        self.findings: list[str] = []
        self.records = self.stored_logs = 0
        self.test = "(outside any test)"
        self.handler = _ScanHandler(self)

    def watch_for(self, name: str, secret: str) -> None:
        """Look for a secret made during the session (keys a stand-in issued) from now on."""
        self.needles.extend(needles({name: secret}))

    def check(self, text: str, where: str) -> None:
        for name, needle in self.needles:
            if needle in text:
                # Never the secret itself: its name and first characters say which one it is.
                finding = f"{name} ({needle[:4]}…) in a log of {self.test}, {where}"
                if finding not in self.findings:
                    self.findings.append(finding)

    def _listen(self) -> None:
        """Be on the root logger whatever the last step did, and see every record there.

        editorbot.logs.install_handler replaces the root's handlers and configure_logging
        adds its redacting filter to each: the scan must keep seeing what others log.
        """
        root = logging.getLogger()
        self.handler.filters.clear()
        if self.handler not in root.handlers:
            root.addHandler(self.handler)

    @staticmethod
    def _service_levels() -> None:
        """The levels a service runs with (editorbot.logs, `editorbot bot`): our packages and
        python-telegram-bot at INFO, every other library at the root's WARNING. Without this
        our INFO lines would not even be made in a test, and the scan could not see them."""
        for name in (*OUR_PACKAGES, "telegram"):
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET or logger.level > logging.INFO:
                logger.setLevel(logging.INFO)

    def scan_prefect_server(self, client) -> int:
        """Look through every log the Prefect server stored; returns how many there were."""
        seen, limit = 0, 200
        while True:
            page = client.read_logs(limit=limit, offset=seen)
            for log in page:
                where = f"stored by Prefect for flow run {log.flow_run_id}, logger {log.name!r}"
                self.check(log.message, where)
            seen += len(page)
            if len(page) < limit:
                self.stored_logs += seen
                return seen

    # -- hooks ---------------------------------------------------------------------------------

    def pytest_sessionstart(self, session) -> None:
        self._listen()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.test = nodeid

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item) -> None:
        self._service_levels()  # before the test's fixtures, which may set their own
        self._listen()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item) -> None:
        self._listen()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item) -> None:
        self._listen()

    def pytest_sessionfinish(self, session) -> None:
        logging.getLogger().removeHandler(self.handler)
        if self.findings:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(
            f"secret scan: {self.records} log records and {self.stored_logs} logs stored by "
            f"Prefect searched for {len(SECRETS)} fake secrets"
        )
        if self.findings:
            terminalreporter.section("secret scan", red=True)
            terminalreporter.line(
                "A fake secret from harness/fake_secrets.py appeared in the logs; the session "
                "fails. Redact it where it is logged (editorbot/logs.py) or stop logging it:",
                red=True,
            )
            for finding in self.findings:
                terminalreporter.line(f"  {finding}", red=True)


def pytest_configure(config) -> None:
    config.pluginmanager.register(SecretScan(SECRETS), PLUGIN_NAME)


def scan_prefect_server(config) -> None:
    """Scan the run logs the session's Prefect server holds; call it before the server stops."""
    scan = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if scan is None:
        return
    from prefect import get_client
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=30)  # the logs still queued in this process
    with get_client(sync_client=True) as client:
        scan.scan_prefect_server(client)
