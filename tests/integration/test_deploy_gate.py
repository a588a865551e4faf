"""The deploy gate as the Deploy workflow runs it, against a fake GitHub API on loopback."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.fake_secrets import GITHUB_TOKEN
from harness.fakes.github import FakeGitHub, Repository

GATE = Path(__file__).resolve().parents[2] / "scripts" / "deploy_gate.py"


def sha(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


OLD, RELEASED, HEAD = sha("old"), sha("released"), sha("head")
RED, PR_ONLY, BRANCH = sha("red"), sha("pr-only"), sha("feature-branch")


@pytest.fixture(scope="module")
def github():
    repository = Repository(
        name="example-org/editorbot",
        token=GITHUB_TOKEN,
        main=[OLD, RELEASED, RED, PR_ONLY, HEAD],
        elsewhere=[BRANCH],
    )
    repository.run(OLD, "success")
    repository.run(RELEASED, "failure")  # a flaky first attempt, then a green rerun
    repository.run(RELEASED, "success")
    repository.run(RED, "failure")
    repository.run(PR_ONLY, "success", event="pull_request", branch="feature")
    repository.run(HEAD, "success")
    repository.run(BRANCH, "success", event="push", branch="feature")
    with FakeGitHub(repository) as server:
        yield server


def gate(github: FakeGitHub, commit: str, tmp_path: Path, token: str = GITHUB_TOKEN):
    output = tmp_path / "github_output"
    output.touch()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": "example-org/editorbot",
        "GITHUB_TOKEN": token,
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        [sys.executable, str(GATE), commit], env=env, capture_output=True, text=True, timeout=60
    )
    return done, output.read_text()


@pytest.mark.parametrize("commit", [HEAD, RELEASED, OLD], ids=["head", "rerun-green", "older"])
def test_a_commit_on_main_with_green_ci_passes_and_is_handed_on(github, tmp_path, commit):
    done, output = gate(github, commit, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert output == f"commit={commit}\n"


REFUSALS = {
    "red CI": (RED, "CI (ci.yml) has no successful run for the push of"),
    "green only as a pull request": (PR_ONLY, "CI (ci.yml) has no successful run for the push"),
    "not on main": (BRANCH, "is not on main (compared: 'diverged')"),
    "unknown commit": (
        sha("nowhere"),
        "GitHub answered 404 to /repos/example-org/editorbot/compare",
    ),
    "a branch name": ("main", "'main' is not a full commit SHA"),
    "a pull request ref": ("pull/7/head", "'pull/7/head' is not a full commit SHA"),
    "a short SHA": (HEAD[:12], "is not a full commit SHA"),
    "upper-case hex": (HEAD.upper(), "is not a full commit SHA"),
}


@pytest.mark.parametrize(("commit", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_anything_else_is_refused_with_one_sentence(github, tmp_path, commit, reason):
    done, output = gate(github, commit, tmp_path)
    assert done.returncode == 1
    (line,) = done.stdout.splitlines()
    assert line.startswith("::error::deploy refused: ") and reason in line, line
    assert output == "" and "Traceback" not in done.stderr


def test_a_malformed_commit_never_reaches_github(github, tmp_path):
    before = len(github.requests)
    gate(github, "HEAD~1; rm -rf /", tmp_path)
    assert len(github.requests) == before


def test_a_refused_token_is_a_refusal(github, tmp_path):
    done, output = gate(github, HEAD, tmp_path, token="fake-wrong-token")
    assert done.returncode == 1 and "GitHub answered 401" in done.stdout
    assert output == ""
