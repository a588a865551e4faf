"""The session's secret scan can fail: inner pytest sessions that leak a fake secret fail."""

from pathlib import Path

import pytest

from harness.fake_secrets import LLM_KEY, PREFECT_AUTH_STRING

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def inner(pytester, monkeypatch):
    """Run a test file in its own pytest process with the scan, as tests/conftest.py loads it."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # so the inner session imports tests.*

    def run(body: str, conftest: str = ""):
        if conftest:
            pytester.makeconftest(conftest)
        pytester.makepyfile(test_inner=body)
        return pytester.runpytest_subprocess(
            "-p", "tests.secret_scan", "-p", "no:cacheprovider", timeout=300
        )

    return run


def _leaked(result) -> str:
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    result.assert_outcomes(passed=1)  # the inner test passed; the session failed after it
    assert "secret scan" in output and "test_inner.py::test_it" in output, output
    return output


def test_a_clean_session_passes_and_says_what_it_searched(inner):
    result = inner(
        "import logging\n"
        "from editorbot.logs import RedactSecrets\n"
        "from harness.fake_secrets import LLM_KEY\n"
        "def test_it():\n"
        "    logging.getLogger('inner').warning('nothing to hide')\n"
        # What a reader of redacted logs sees is not a leak.
        "    logging.getLogger('inner').warning(RedactSecrets([LLM_KEY]).redact(LLM_KEY))\n"
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(["secret scan: * log records and 0 logs stored by Prefect *"])


def test_a_secret_in_a_log_record_fails_the_session_without_being_printed(inner):
    output = _leaked(
        inner(
            "import logging\n"
            "from harness.fake_secrets import LLM_KEY\n"
            "def test_it():\n"
            "    logging.getLogger('editorbot.leaky').info('calling with key %s', LLM_KEY)\n"
        )
    )
    assert "LLM_KEY" in output and "logger 'editorbot.leaky'" in output
    assert LLM_KEY not in output


def test_a_password_alone_in_a_logged_exception_fails_the_session(inner):
    password = PREFECT_AUTH_STRING.split(":")[1]
    output = _leaked(
        inner(
            "import logging\n"
            "from harness.fake_secrets import PREFECT_AUTH_STRING\n"
            "def test_it():\n"
            "    try:\n"
            "        raise PermissionError(PREFECT_AUTH_STRING.split(':')[1])\n"
            "    except PermissionError:\n"
            "        logging.getLogger('inner.auth').exception('login failed')\n"
        )
    )
    assert "PREFECT_AUTH_STRING (the part after ':')" in output
    assert password not in output


@pytest.mark.slow
def test_a_secret_in_the_logs_prefect_stored_fails_the_session(inner):
    """A run log that reached the session's Prefect server only (from a child process, say)."""
    output = _leaked(
        inner(
            "from datetime import datetime, timezone\n"
            "import logging\n"
            "import pytest\n"
            "from prefect import get_client\n"
            "from prefect.client.schemas.actions import LogCreate\n"
            "from harness.fake_secrets import GEMINI_KEY\n"
            "@pytest.mark.usefixtures('prefect_api')\n"
            "def test_it():\n"
            "    with get_client(sync_client=True) as client:\n"
            "        client.create_logs([LogCreate(name='prefect.task_runs', level=20,\n"
            "            message=f'key {GEMINI_KEY}', timestamp=datetime.now(timezone.utc))])\n",
            conftest="from tests.conftest import prefect_api  # noqa: F401\n",
        )
    )
    assert "GEMINI_KEY" in output and "stored by Prefect" in output, output
