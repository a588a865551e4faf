"""The GitHub workflows' graph: deploy only what CI passed, for the same commit; pinned actions.

Each rule returns violations; it runs against the real workflows (must find none) and
against small broken ones (must find some), as in test_terraform.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
FULL_SHA = re.compile(r"[0-9a-f]{40}")
ASSUMES_AWS = "aws-actions/configure-aws-credentials@"

Workflow = dict[str, Any]


def load(text: str) -> Workflow:
    return yaml.safe_load(text)


def triggers(workflow: Workflow) -> dict:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on or {}


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def job_text(job: dict) -> str:
    """Everything a job says (its `if`, env, steps), for expression checks."""
    return yaml.safe_dump(job, sort_keys=True)


def needs(job: dict) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def ancestors(jobs: dict, name: str) -> set[str]:
    """Every job `name` waits for, directly or not."""
    found: set[str] = set()
    todo = needs(jobs[name])
    while todo:
        other = todo.pop()
        if other not in found and other in jobs:
            found.add(other)
            todo.extend(needs(jobs[other]))
    return found


def condition(job: dict) -> str:
    return " ".join(str(job.get("if", "")).split())


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


def unpinned_action_violations(workflow: Workflow) -> list[str]:
    """Every action is pinned to a full commit SHA (a tag can be moved under us)."""
    found = []
    for name, job in workflow.get("jobs", {}).items():
        uses = [job["uses"]] if "uses" in job else []
        uses += [step["uses"] for step in steps(job) if "uses" in step]
        for ref in uses:
            if ref.startswith("./"):
                continue
            if ref.startswith("docker://"):
                if "@sha256:" not in ref:
                    found.append(f"{name}: {ref} is not pinned by digest")
                continue
            _, _, version = ref.partition("@")
            if not FULL_SHA.fullmatch(version):
                found.append(f"{name}: {ref} is not pinned to a commit SHA")
    return found


def trigger_violations(workflow: Workflow) -> list[str]:
    """No pull_request_target: it runs a fork's pull request with this repository's secrets."""
    return [f"triggers on {t}" for t in triggers(workflow) if t == "pull_request_target"]


def token_violations(workflow: Workflow) -> list[str]:
    """Read-only by default; an OIDC token only for the job that needs one."""
    found = []
    if workflow.get("permissions") != {"contents": "read"}:
        found.append(
            f"workflow permissions are {workflow.get('permissions')!r}, not contents: read"
        )
    for name, job in workflow.get("jobs", {}).items():
        wants_token = job.get("permissions", {}).get("id-token") == "write"
        assumes = any(str(step.get("uses", "")).startswith(ASSUMES_AWS) for step in steps(job))
        if wants_token and not assumes:
            found.append(f"{name}: asks for an OIDC token it does not use")
    return found


def image_violations(ci: Workflow) -> list[str]:
    """CI builds the three targets, scans each, and pushes only from main after every job."""
    jobs = ci.get("jobs", {})
    pushers = [
        n for n, j in jobs.items() if any("docker push" in s.get("run", "") for s in steps(j))
    ]
    if len(pushers) != 1:
        return [f"expected one job pushing images, found {pushers}"]
    name = pushers[0]
    job = jobs[name]
    found = []
    others = set(jobs) - {name}
    if not others <= ancestors(jobs, name):
        found.append(f"{name}: pushes before {sorted(others - ancestors(jobs, name))} passed")
    builds = " ".join(s.get("run", "") for s in steps(job) if "docker build" in s.get("run", ""))
    for snippet in (
        "for role in server runner bot; do",
        'docker build --target "${role}" --tag "editorbot:${role}-${GITHUB_SHA}" .',
    ):
        if snippet not in builds:
            found.append(f"{name}: does not build and tag each target of this commit ({snippet})")
    scanned = [
        s["with"]["image-ref"]
        for s in steps(job)
        if str(s.get("uses", "")).startswith("aquasecurity/trivy-action@")
    ]
    if len(scanned) != 3 or any("${{ github.sha }}" not in ref for ref in scanned):
        found.append(f"{name}: does not scan each of the three images of this commit")
    for step in steps(job):
        pushes = "docker push" in step.get("run", "")
        assumes = str(step.get("uses", "")).startswith(ASSUMES_AWS)
        if (pushes or assumes) and step.get("if") != "env.PUSH == 'true'":
            found.append(f"{name}: '{step.get('name')}' runs on every event")
    if job.get("env", {}).get("PUSH") != (
        "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}"
    ):
        found.append(f"{name}: PUSH is not limited to pushes to main")
    return found


def deploy_gate_violations(ci: Workflow, deploy: Workflow) -> list[str]:
    """Deploy runs only after CI succeeded for a push to main, and deploys that same commit."""
    found = []
    on = triggers(deploy)
    if set(on) - {"workflow_run", "workflow_dispatch"}:
        found.append(
            f"deploy triggers on {sorted(set(on) - {'workflow_run', 'workflow_dispatch'})}"
        )
    run = on.get("workflow_run") or {}
    if run.get("workflows") != [ci.get("name")] or run.get("types") != ["completed"]:
        found.append("deploy does not follow the completion of CI")
    if run.get("branches") != ["main"]:
        found.append("deploy follows CI on branches other than main")

    jobs = deploy.get("jobs", {})
    gates = [
        n
        for n, j in jobs.items()
        if any("scripts/deploy_gate.py" in s.get("run", "") for s in steps(j))
    ]
    if len(gates) != 1:
        return [*found, f"expected one gate job running scripts/deploy_gate.py, found {gates}"]
    gate = gates[0]
    gate_if = condition(jobs[gate])
    for required in (
        "github.ref == 'refs/heads/main'",
        "github.event.workflow_run.conclusion == 'success'",
        "github.event.workflow_run.event == 'push'",
        "github.event.workflow_run.head_branch == 'main'",
        "github.event.workflow_run.head_repository.full_name == github.repository",
    ):
        if required not in gate_if:
            found.append(f"{gate}: runs without checking {required}")
    gate_step = next(s for s in steps(jobs[gate]) if "scripts/deploy_gate.py" in s.get("run", ""))
    if gate_step.get("env", {}).get("COMMIT") != (
        "${{ github.event.workflow_run.head_sha || inputs.commit }}"
    ):
        found.append(f"{gate}: does not gate the commit CI ran on (or the one asked for)")
    if jobs[gate].get("outputs", {}).get("commit") != "${{ steps.gate.outputs.commit }}":
        found.append(f"{gate}: does not hand on the commit it checked")

    for name, job in jobs.items():
        text = job_text(job)
        deploys = "ssm send-command" in text or ASSUMES_AWS in text
        if not deploys:
            continue
        if gate not in ancestors(jobs, name):
            found.append(f"{name}: deploys without waiting for {gate}")
        if job.get("environment") != "production":
            found.append(f"{name}: deploys outside the protected production environment")
        if job.get("env", {}).get("COMMIT") != f"${{{{ needs.{gate}.outputs.commit }}}}":
            found.append(f"{name}: deploys another commit than the one {gate} checked")
        # Under workflow_run github.sha is main's head by then, not the commit CI tested.
        if "github.sha" in text or "GITHUB_SHA" in text:
            found.append(f"{name}: refers to github.sha")
    if not any(
        "ssm send-command" in job_text(j) and j.get("environment") == "production"
        for j in jobs.values()
    ):
        found.append("no job sends the deploy command")
    return found


# --------------------------------------------------------------------------
# The real workflows
# --------------------------------------------------------------------------


def workflows() -> dict[str, Workflow]:
    found = {p.name: load(p.read_text()) for p in sorted(WORKFLOWS.glob("*.y*ml"))}
    assert {"ci.yml", "deploy.yml"} <= set(found)
    return found


@pytest.mark.parametrize(
    "rule", [unpinned_action_violations, trigger_violations, token_violations], ids=str
)
def test_every_workflow_satisfies(rule) -> None:
    violations = [f"{name}: {v}" for name, w in workflows().items() for v in rule(w)]
    assert violations == []


def test_ci_builds_scans_and_pushes_once() -> None:
    assert image_violations(workflows()["ci.yml"]) == []


def test_deploy_needs_green_ci_for_the_same_commit() -> None:
    found = workflows()
    assert deploy_gate_violations(found["ci.yml"], found["deploy.yml"]) == []


def test_the_rules_see_what_they_check() -> None:
    """Guard against a vacuous pass: the workflows use actions and assume AWS roles."""
    found = workflows()
    uses = [
        s["uses"]
        for w in found.values()
        for j in w["jobs"].values()
        for s in steps(j)
        if "uses" in s
    ]
    assert len(uses) >= 10
    assert sum(u.startswith(ASSUMES_AWS) for u in uses) == 2  # image push, deploy


# --------------------------------------------------------------------------
# Broken workflows: each rule catches its own kind of mistake
# --------------------------------------------------------------------------

CI = """
name: CI
on: {push: {branches: [main]}, pull_request: {}}
permissions: {contents: read}
jobs:
  tests:
    runs-on: ubuntu-24.04
    steps: [{run: make test}]
  image:
    needs: [tests]
    runs-on: ubuntu-24.04
    permissions: {contents: read, id-token: write}
    env:
      PUSH: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}
    steps:
      - run: |
          for role in server runner bot; do
            docker build --target "${role}" --tag "editorbot:${role}-${GITHUB_SHA}" .
          done
      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25
        with: {image-ref: "editorbot:server-${{ github.sha }}"}
      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25
        with: {image-ref: "editorbot:runner-${{ github.sha }}"}
      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25
        with: {image-ref: "editorbot:bot-${{ github.sha }}"}
      - if: env.PUSH == 'true'
        uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
      - if: env.PUSH == 'true'
        run: docker push "$REPO:server-$GITHUB_SHA"
"""

DEPLOY = """
name: Deploy
on:
  workflow_run: {workflows: [CI], types: [completed], branches: [main]}
  workflow_dispatch: {inputs: {commit: {required: true, type: string}}}
permissions: {contents: read}
jobs:
  gate:
    if: >-
      github.ref == 'refs/heads/main' &&
      (github.event_name == 'workflow_dispatch' ||
       (github.event.workflow_run.conclusion == 'success' &&
        github.event.workflow_run.event == 'push' &&
        github.event.workflow_run.head_branch == 'main' &&
        github.event.workflow_run.head_repository.full_name == github.repository))
    runs-on: ubuntu-24.04
    outputs: {commit: "${{ steps.gate.outputs.commit }}"}
    steps:
      - id: gate
        env: {COMMIT: "${{ github.event.workflow_run.head_sha || inputs.commit }}"}
        run: python3 scripts/deploy_gate.py "${COMMIT}"
  deploy:
    needs: gate
    environment: production
    runs-on: ubuntu-24.04
    permissions: {contents: read, id-token: write}
    env: {COMMIT: "${{ needs.gate.outputs.commit }}"}
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
      - run: aws ssm send-command --parameters "commit=${COMMIT}"
"""


def edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def test_the_fixtures_pass_as_written() -> None:
    """The broken variants below differ from these by one edit each."""
    ci, deploy = load(CI), load(DEPLOY)
    assert image_violations(ci) == []
    assert deploy_gate_violations(ci, deploy) == []
    for rule in (unpinned_action_violations, trigger_violations, token_violations):
        assert rule(ci) == [] and rule(deploy) == []


BROKEN_DEPLOYS = {
    "deploys on every push, beside CI": (
        "  workflow_run: {workflows: [CI], types: [completed], branches: [main]}",
        "  push: {branches: [main]}",
    ),
    "follows CI on any branch": ("branches: [main]}", "branches: ['**']}"),
    "ignores CI's conclusion": ("github.event.workflow_run.conclusion == 'success' &&", ""),
    "takes CI of a pull request": ("github.event.workflow_run.event == 'push' &&", ""),
    "runs from any branch": ("github.ref == 'refs/heads/main' &&", ""),
    "deploys whatever main is now": (
        'env: {COMMIT: "${{ needs.gate.outputs.commit }}"}',
        'env: {COMMIT: "${{ github.sha }}"}',
    ),
    "does not wait for the gate": ("    needs: gate\n", ""),
    "outside the protected environment": ("    environment: production\n", ""),
    "gates another commit": (
        "${{ github.event.workflow_run.head_sha || inputs.commit }}",
        "${{ inputs.commit }}",
    ),
}


@pytest.mark.parametrize(("old", "new"), BROKEN_DEPLOYS.values(), ids=BROKEN_DEPLOYS.keys())
def test_deploy_rule_catches(old: str, new: str) -> None:
    assert deploy_gate_violations(load(CI), load(edited(DEPLOY, old, new)))


BROKEN_CIS = {
    "pushes before the tests pass": ("    needs: [tests]\n", ""),
    "pushes on every event": (
        "      - if: env.PUSH == 'true'\n        run: docker push",
        "      - run: docker push",
    ),
    "skips a scan": (
        "      - uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25\n"
        '        with: {image-ref: "editorbot:bot-${{ github.sha }}"}\n',
        "",
    ),
    "pushes from any branch": ("&& github.ref == 'refs/heads/main' ", ""),
}


@pytest.mark.parametrize(("old", "new"), BROKEN_CIS.values(), ids=BROKEN_CIS.keys())
def test_image_rule_catches(old: str, new: str) -> None:
    assert image_violations(load(edited(CI, old, new)))


@pytest.mark.parametrize(
    ("rule", "old", "new"),
    [
        (unpinned_action_violations, "@e3dd6a429d7300a6a4c196c26e071d42e0343502", "@v4"),
        (trigger_violations, "workflow_dispatch:", "pull_request_target: {}\n  workflow_dispatch:"),
        (token_violations, "permissions: {contents: read}\njobs", "permissions: write-all\njobs"),
    ],
    ids=["tag-pinned action", "pull_request_target", "write-all token"],
)
def test_workflow_rules_catch(rule, old: str, new: str) -> None:
    assert rule(load(edited(DEPLOY, old, new)))
