"""Check a script against its template: errors block a draft, warnings inform the reviewer."""

from editorbot.schemas import Script, Template, ValidationReport

LONG_BEAT_SECONDS = 20


def validate_script(script: Script, template: Template) -> ValidationReport:
    """Every way `script` breaks `template`'s contract, as sentences."""
    report = ValidationReport()
    roles = [beat.role for beat in script.beats]
    if script.template_id != template.id:
        report.errors.append(
            f"the script names template {script.template_id!r}, not {template.id!r}"
        )
    if not template.min_beats <= len(roles) <= template.max_beats:
        report.errors.append(
            f"{len(roles)} beat{'s' * (len(roles) != 1)}; the {template.name} template takes "
            f"{template.min_beats} to {template.max_beats}"
        )
    for role in template.required_roles:
        if role not in roles:
            report.errors.append(f"the {template.name} template needs a beat of role {role.value}")
    for role in dict.fromkeys(roles):
        if role in template.forbidden_roles:
            report.errors.append(f"the {template.name} template forbids {role.value} beats")
        elif role not in template.permitted_roles:
            report.errors.append(f"{role.value} beats are not part of the {template.name} template")
    beat_ids = [beat.beat_id for beat in script.beats]
    if len(set(beat_ids)) != len(beat_ids):
        report.errors.append("two beats share a beat_id")

    duration, bounds = script.total_duration_seconds, template.duration
    if not bounds.min <= duration <= bounds.max:
        message = (
            f"the script runs {duration} s; the {template.name} template expects "
            f"{bounds.min}–{bounds.max} s (about {bounds.target} s)"
        )
        (report.errors if template.strict else report.warnings).append(message)
    order = [r for r in template.typical_order if r in roles]
    seen = [r for r in dict.fromkeys(roles) if r in template.typical_order]
    if seen != order:
        report.warnings.append("the beats are not in the template's usual order")
    for beat in script.beats:
        if beat.estimated_duration_seconds > LONG_BEAT_SECONDS:
            report.warnings.append(
                f"beat {beat.beat_id} runs {beat.estimated_duration_seconds} s; consider a split"
            )
    return report
