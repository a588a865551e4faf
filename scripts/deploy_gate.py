"""The deploy gate: a commit deploys only if it is on main and CI succeeded for that commit.

    python3 scripts/deploy_gate.py COMMIT_SHA

Run by .github/workflows/deploy.yml before the deploy job, for both of its triggers: CI
finishing on main (`workflow_run`) and a manual run naming a commit (a rollback). It asks
GitHub's REST API (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN, as Actions sets them)
whether main contains the commit and whether a CI run for a push of it to main succeeded.
On success it writes `commit=<sha>` to GITHUB_OUTPUT; otherwise it says why in one line and
exits 1. Standard library only: it runs on the bare runner.
"""

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

FULL_SHA = re.compile(r"[0-9a-f]{40}")
CI_WORKFLOW = "ci.yml"
BRANCH = "main"


class Refused(Exception):
    """The commit may not deploy; `str(error)` says why."""


def _get(api: str, path: str, token: str) -> dict:
    request = urllib.request.Request(
        api.rstrip("/") + path,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise Refused(f"GitHub answered {error.code} to {path.split('?', 1)[0]}") from None


def check(commit: str, repository: str, api: str, token: str) -> None:
    """Raise Refused unless `commit` is on main and a CI run of its push to main succeeded."""
    if not FULL_SHA.fullmatch(commit):
        raise Refused(f"{commit!r} is not a full commit SHA (40 lowercase hex characters).")
    # base...head: "ahead" or "identical" means main contains the commit.
    compare = _get(api, f"/repos/{repository}/compare/{commit}...{BRANCH}", token)
    if compare.get("status") not in ("ahead", "identical"):
        raise Refused(
            f"{commit} is not on {BRANCH} (compared: {compare.get('status')!r}); "
            f"only commits merged to {BRANCH} deploy."
        )
    query = urllib.parse.urlencode(
        {"head_sha": commit, "event": "push", "branch": BRANCH, "per_page": 100}
    )
    runs = _get(api, f"/repos/{repository}/actions/workflows/{CI_WORKFLOW}/runs?{query}", token)
    green = [
        run
        for run in runs.get("workflow_runs", [])
        if run.get("head_sha") == commit
        and run.get("event") == "push"
        and run.get("head_branch") == BRANCH
        and run.get("conclusion") == "success"
    ]
    if not green:
        raise Refused(
            f"CI ({CI_WORKFLOW}) has no successful run for the push of {commit} to {BRANCH}; "
            "deploy a commit whose CI passed."
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: deploy_gate.py COMMIT_SHA", file=sys.stderr)
        return 2
    commit = argv[0].strip()
    missing = [name for name in ("GITHUB_REPOSITORY", "GITHUB_TOKEN") if not os.environ.get(name)]
    if missing:
        print(f"::error::deploy refused: {' and '.join(missing)} not set (Actions sets them)")
        return 1
    try:
        check(
            commit,
            os.environ["GITHUB_REPOSITORY"],
            os.environ.get("GITHUB_API_URL", "https://api.github.com"),
            os.environ["GITHUB_TOKEN"],
        )
    except Refused as error:
        print(f"::error::deploy refused: {error}")
        return 1
    except urllib.error.URLError as error:
        print(f"::error::deploy refused: cannot reach GitHub's API ({error.reason})")
        return 1
    print(f"{commit} is on {BRANCH} and CI passed for it")
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as file:
            file.write(f"commit={commit}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
