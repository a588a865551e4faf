"""The prompts carry the profile, the template's contract and the reviewer's notes."""

import pytest

from editorbot.dialects import load_profile
from editorbot.llm import prompts
from editorbot.schemas import MediatedText
from editorbot.templates import load_template, template_names


@pytest.mark.parametrize("name", template_names())
def test_the_contract_states_every_bound_of_the_template(name):
    template = load_template(name)
    contract = prompts.template_contract(template)

    bounds = template.duration
    assert f"{bounds.min}–{bounds.max} seconds, about {bounds.target} s" in contract
    assert f"{template.min_beats} to {template.max_beats}" in contract
    for label, roles in [
        ("Required roles, each at least once", template.required_roles),
        ("Allowed roles", template.allowed_roles),
        ("Forbidden roles, never use them", template.forbidden_roles),
    ]:
        assert f"{label}: {', '.join(r.value for r in roles) or 'none'}." in contract
    assert " → ".join(r.value for r in template.typical_order) in contract
    assert "2.5 words per second" in contract


def test_a_strict_template_says_its_duration_is_a_hard_limit():
    template = load_template("opinion").model_copy(update={"strict": True})
    assert "hard limit" in prompts.template_contract(template)
    assert "hard limit" not in prompts.template_contract(load_template("opinion"))


def test_the_mediation_prompt_is_the_profile_prompt_plus_the_reply_format():
    profile = load_profile("rioplatense")
    system = prompts.mediation_system(profile)
    assert system.startswith(profile.system_prompt.strip())
    assert '"changes"' in system


def test_reviewer_notes_go_into_both_requests():
    notes = ["Más corto el gancho.", "  "]
    mediated = MediatedText(text="Texto.", source_text="Texto.", dialect="neutral", model="m")

    for request in (
        prompts.mediation_request("Texto.", notes),
        prompts.structure_request(mediated, "es", notes),
    ):
        assert "- Más corto el gancho." in request
        assert "- \n" not in request and not request.endswith("- ")


def test_no_notes_means_no_reviewer_section():
    assert "reviewer" not in prompts.mediation_request("Texto.", [])


def test_the_repair_request_lists_every_problem():
    request = prompts.repair_request(["a is wrong", "b is missing"])
    assert "- a is wrong\n- b is missing" in request
