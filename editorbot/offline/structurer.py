"""Rule-based structuring: sentences grouped into beats whose roles fit a template."""

import re

from editorbot.beats import intensity_for, pace_for, visual_for
from editorbot.schemas import Beat, Role, Template, estimate_seconds

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _split_one(piece: str) -> list[str]:
    """Split a piece in two near its middle: at a clause break if there is one, else a word."""
    words = piece.split()
    if len(words) < 2:
        return [piece]
    clauses = _CLAUSE_BREAK.split(piece)
    if len(clauses) > 1:
        cut, best = 1, len(words)
        for i in range(1, len(clauses)):
            left = len(" ".join(clauses[:i]).split())
            if abs(2 * left - len(words)) < best:
                cut, best = i, abs(2 * left - len(words))
        return [" ".join(clauses[:cut]), " ".join(clauses[cut:])]
    half = len(words) // 2
    return [" ".join(words[:half]), " ".join(words[half:])]


def _group(pieces: list[str], count: int) -> list[str]:
    """Join neighbouring pieces into `count` groups of about equal word counts."""
    total = sum(len(p.split()) for p in pieces)
    groups: list[list[str]] = [[]]
    running = 0
    for index, piece in enumerate(pieces):
        remaining_pieces = len(pieces) - index
        remaining_groups = count - len(groups)
        boundary = total * len(groups) / count
        must_close = remaining_pieces == remaining_groups
        if groups[-1] and remaining_groups > 0 and (running >= boundary or must_close):
            groups.append([])
        groups[-1].append(piece)
        running += len(piece.split())
    return [" ".join(g) for g in groups]


def chunk_text(text: str, count: int) -> list[str]:
    """`text` in `count` chunks of whole sentences, splitting sentences only when too few."""
    pieces = split_sentences(text)
    while len(pieces) < count:
        longest = max(range(len(pieces)), key=lambda i: len(pieces[i].split()))
        halves = _split_one(pieces[longest])
        if len(halves) == 1:
            break  # nothing left to split: fewer beats than asked
        pieces[longest : longest + 1] = halves
    return _group(pieces, count) if len(pieces) > count else pieces


def plan_roles(template: Template, count: int) -> list[Role]:
    """Roles for `count` beats: the typical order, trimmed of optional roles or padded."""
    plan = list(template.typical_order)
    required = set(template.required_roles)
    # Trim optional roles from the middle outwards, keeping the closing beat longest.
    while len(plan) > count:
        optional = [i for i, role in enumerate(plan[:-1]) if role not in required]
        if optional:
            del plan[optional[-1]]
        elif plan[-1] not in required:
            del plan[-1]
        else:
            break
    while len(plan) < count:
        anchor = max(
            (i for i, role in enumerate(plan) if role == template.repeatable_role),
            default=len(plan) - 2,
        )
        plan.insert(anchor + 1, template.repeatable_role)
    return plan


def build_beats(text: str, template: Template) -> list[Beat]:
    """Beats for `text` under `template`; may come out short when the text is too short."""
    sentences = split_sentences(text)
    floor = max(template.min_beats, len(template.required_roles))
    count = min(max(len(sentences), floor), template.max_beats)
    chunks = chunk_text(text, count)
    roles = plan_roles(template, count)
    if len(chunks) < len(roles):  # too little text: keep the required roles first
        roles = [r for r in roles if r in template.required_roles][: len(chunks)]
    return [
        Beat(
            beat_id=f"b{index:02d}",
            role=role,
            text=chunk,
            estimated_duration_seconds=estimate_seconds(chunk),
            pace=pace_for(role),
            intensity=intensity_for(role, chunk),
            visual_affinity=visual_for(role),
        )
        for index, (role, chunk) in enumerate(zip(roles, chunks, strict=False), start=1)
    ]
