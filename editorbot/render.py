"""Scripts as Markdown for people: drafts, the Prefect run page, chat messages."""

from editorbot.schemas import MediatedText, Script


def script_markdown(script: Script, mediated: MediatedText | None = None) -> str:
    """The script as a reviewer reads it: beats in order with role and timing."""
    title = f"# {script.template_id.title()} script · {script.total_duration_seconds} s"
    lines = [
        title,
        "",
        f"Dialect: {script.dialect} · language: {script.language} · "
        f"revision {script.metadata.revision} · {len(script.beats)} beats",
        "",
    ]
    start = 0
    for beat in script.beats:
        end = start + beat.estimated_duration_seconds
        lines += [
            f"## {beat.beat_id} · {beat.role.value} · {start}–{end} s",
            "",
            beat.text,
            "",
            f"_pace {beat.pace}, intensity {beat.intensity or '-'}, "
            f"visual {beat.visual_affinity or '-'}_",
            "",
        ]
        start = end
    if mediated and mediated.changes:
        lines += ["## What mediation changed", ""] + [f"- {c}" for c in mediated.changes] + [""]
    if script.metadata.validation_warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {w}" for w in script.metadata.validation_warnings] + [""]
    return "\n".join(lines)
