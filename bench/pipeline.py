"""Time the pipeline's steps called directly against the same steps inside a Prefect flow run.

    .venv/bin/python bench/pipeline.py [NOTE] [--repeat 3]

Prints a table and writes bench/results/pipeline.json. The Whisper model is loaded (and timed)
once before either path, so both measure the same warm work; the difference is orchestration.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_home = tempfile.mkdtemp(prefix="editorbot-bench-")
os.environ.update(
    PREFECT_HOME=f"{_home}/prefect",
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL",
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
)


def direct(note: Path, run_key: str, options) -> dict[str, float]:
    """Each task's plain function, in order, as one process would call them."""
    from tasks.download import download
    from tasks.mediate import mediate
    from tasks.normalize_audio import normalize_audio
    from tasks.publish import publish
    from tasks.save_draft import save_draft
    from tasks.structure import structure
    from tasks.transcribe import transcribe
    from tasks.write_subtitles import write_subtitles

    marks, start = {}, time.perf_counter()
    raw = download.fn(str(note), run_key)
    cleaned = normalize_audio.fn(raw, run_key)
    marks["normalize"] = time.perf_counter() - start
    transcript = transcribe.fn(cleaned, options.language)
    marks["transcribe"] = time.perf_counter() - start - marks["normalize"]
    write_subtitles.fn(transcript, run_key)
    mediated = mediate.fn(transcript.text, options.dialect, [])
    script = structure.fn(mediated, options.template, run_key, transcript.language, 0, [])
    draft = save_draft.fn(script, mediated, run_key)
    marks["to_draft"] = time.perf_counter() - start
    approved = time.perf_counter()
    publish.fn(draft, run_key)
    marks["approval_to_published"] = time.perf_counter() - approved
    return marks


def orchestrated(note: Path, run_key: str, options) -> dict[str, float]:
    """The real flow in this process against the embedded Prefect API, gate included."""
    from flows.local_run import LocalRun

    start = time.perf_counter()
    run = LocalRun(str(note), run_key, options)
    assert run.watch(poll_s=0.05).is_paused()
    to_draft = time.perf_counter() - start
    approved = time.perf_counter()
    run.decide("approve")
    assert run.result(300).name == "Published"
    return {"to_draft": to_draft, "approval_to_published": time.perf_counter() - approved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("note", nargs="?", default=str(ROOT / "samples" / "nota_venezolana.ogg"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from prefect import get_client

    from editorbot.run_key import make_run_key
    from editorbot.schemas import RunOptions
    from editorbot.settings import get_settings
    from editorbot.whisper import get_engine

    note, options = Path(args.note), RunOptions(dialect="venezuelan", template="story")
    os.environ["EDITORBOT_STORAGE"] = f"file://{_home}/data"
    loaded = time.perf_counter()
    get_engine(get_settings())
    model_load = time.perf_counter() - loaded
    server = time.perf_counter()
    with get_client(sync_client=True) as client:
        client.hello()  # starts the embedded server, timed on its own
    server_start = time.perf_counter() - server

    results = {"direct": [], "flow": []}
    for i in range(args.repeat):  # fresh run keys: no cache hits, both paths do all the work
        results["direct"].append(direct(note, make_run_key("bench", f"d{i}"), options))
        results["flow"].append(orchestrated(note, make_run_key("bench", f"f{i}"), options))

    def best(path: str, field: str) -> float:
        return min(r[field] for r in results[path])

    rows = []
    for field in ("to_draft", "approval_to_published"):
        a, b = best("direct", field), best("flow", field)
        rows.append(
            {"measure": field, "direct_s": a, "flow_s": b, "overhead_s": b - a, "ratio": b / a}
        )
    cpu = platform.processor() or platform.machine()
    print(f"note: {note.name}; best of {args.repeat}; {os.cpu_count()} cores, {cpu}")
    print(f"model load {model_load:.2f} s; embedded Prefect server start {server_start:.2f} s")
    normalize, transcribe = best("direct", "normalize"), best("direct", "transcribe")
    print(f"direct: normalize {normalize:.2f} s, transcribe {transcribe:.2f} s")
    print(f"{'measure':<24}{'direct s':>10}{'flow s':>10}{'overhead s':>12}{'flow/direct':>13}")
    for r in rows:
        print(
            f"{r['measure']:<24}{r['direct_s']:>10.2f}{r['flow_s']:>10.2f}{r['overhead_s']:>12.2f}{r['ratio']:>13.2f}"
        )
    out = ROOT / "bench" / "results" / "pipeline.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "note": note.name,
                "model_load_s": model_load,
                "server_start_s": server_start,
                "rows": rows,
                "runs": results,
            },
            indent=2,
        )
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
