"""A dialect profile is a file: dropped into the package, every part of the product offers it."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILEAN = '''name = "chilean"
label = "Chilean Spanish"
description = "Santiago and the rest of Chile: cachai, pololo, fome."
system_prompt = """
You mediate Chilean Spanish into Spanish that any Spanish speaker follows.
"""

[[lexicon]]
regional = "pololo"
neutral = "novio"
note = "«pololo» is Chilean for a boyfriend"

[[lexicon]]
regional = "fome"
neutral = "aburrido"
note = "«fome» is Chilean for boring"
'''
# Run against the copy: what the CLI offers, which profile `auto` picks, what mediation does.
PROBE = """
import json
from editorbot.dialects import profile_names
from editorbot.offline.mediator import mediate_offline
from editorbot.text_engine import resolve_profile
from shells.cli import build_parser

text = "Mi pololo dice que la película fue fome."
profile = resolve_profile("auto", text)
args = build_parser().parse_args(["process", "note.ogg", "--dialect", "chilean"])
print(json.dumps({
    "names": list(profile_names()),
    "cli": args.dialect,
    "auto": profile.name,
    "mediated": mediate_offline(text, profile)[0],
}))
"""


def test_a_profile_added_as_a_file_is_offered_detected_and_applied(tmp_path):
    kernel = tmp_path / "editorbot"
    shutil.copytree(ROOT / "editorbot", kernel, ignore=shutil.ignore_patterns("__pycache__"))
    (kernel / "dialects" / "chilean.toml").write_text(CHILEAN, encoding="utf-8")

    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,  # not the repository, whose editorbot/ would come first
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert "chilean" in seen["names"] and seen["cli"] == "chilean"
    assert seen["auto"] == "chilean"
    assert seen["mediated"] == "Mi novio dice que la película fue aburrido."
