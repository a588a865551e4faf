"""A container health probe: exit 0 when an HTTP health endpoint answers 2xx, else 1."""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_S = 5


def probe(url: str) -> str | None:
    """None when `url` answers 2xx; otherwise a short reason (never a header or a body)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))


def main(argv: list[str] | None = None) -> int:
    """`python -m shells.healthcheck [URL]`; without a URL, the Prefect API this process uses."""
    argv = sys.argv[1:] if argv is None else argv
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    url = argv[0] if argv else (f"{api}/health" if api else "")
    if not url:
        print("healthcheck: no URL given and PREFECT_API_URL is not set", file=sys.stderr)
        return 1
    reason = probe(url)
    if reason:
        # The query string is dropped: nothing secret belongs there, but nothing is risked either.
        print(f"healthcheck: {url.split('?', 1)[0]} is unhealthy: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
