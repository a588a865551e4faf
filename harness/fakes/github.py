"""A fake GitHub REST API on loopback: commit comparison and workflow runs, as the deploy gate
reads them (`GET /repos/{repo}/compare/{base}...{head}`, `.../actions/workflows/{file}/runs`).
"""

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness.fakes.loopback import LoopbackServer


@dataclass
class Repository:
    """main's history (oldest first), commits off main, and the workflow runs GitHub knows."""

    name: str
    token: str
    main: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)

    def run(self, sha: str, conclusion: str, event: str = "push", branch: str = "main") -> None:
        """Record a finished run of ci.yml for `sha`."""
        self.runs.append(
            {
                "id": len(self.runs) + 1,
                "path": ".github/workflows/ci.yml",
                "head_sha": sha,
                "head_branch": branch,
                "event": event,
                "status": "completed",
                "conclusion": conclusion,
            }
        )

    def compare(self, base: str, head: str) -> dict[str, Any] | None:
        """GitHub's comparison status of `head` against `base`, for head = main."""
        if head != "main" or base not in self.main + self.elsewhere:
            return None
        if base == self.main[-1]:
            return {"status": "identical", "ahead_by": 0, "behind_by": 0}
        if base in self.main:
            return {"status": "ahead", "ahead_by": len(self.main) - 1 - self.main.index(base)}
        return {"status": "diverged", "ahead_by": len(self.main), "behind_by": 1}


class FakeGitHub(LoopbackServer):
    """Serves one repository; requests without its token get 401, like a private repository."""

    def __init__(self, repository: Repository):
        self.repository = repository
        self.requests: list[str] = []
        super().__init__(self._handler())

    def _answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        repo = self.repository
        prefix = f"/repos/{repo.name}/"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}
        rest = path.removeprefix(prefix)
        if rest.startswith("compare/") and "..." in rest:
            base, head = rest.removeprefix("compare/").split("...", 1)
            found = repo.compare(base, head)
            return (200, found) if found else (404, {"message": "Not Found"})
        if rest == "actions/workflows/ci.yml/runs":
            # GitHub filters by these query parameters; the gate checks the fields again.
            runs = [
                run
                for run in repo.runs
                if all(
                    run[key] == query[param][0]
                    for param, key in (
                        ("head_sha", "head_sha"),
                        ("event", "event"),
                        ("branch", "head_branch"),
                    )
                    if param in query
                )
            ]
            return 200, {"total_count": len(runs), "workflow_runs": runs}
        return 404, {"message": "Not Found"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                server.requests.append(url.path)
                if self.headers.get("Authorization") != f"Bearer {server.repository.token}":
                    status, body = 401, {"message": "Bad credentials"}
                else:
                    status, body = server._answer(url.path, parse_qs(url.query))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output to the tests' own

        return Handler
