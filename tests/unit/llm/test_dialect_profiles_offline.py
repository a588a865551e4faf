"""Every dialect profile's lexicon, entry by entry: the offline engine changes that and no more."""

import pytest

from editorbot.dialects import load_profile, profile_names
from editorbot.offline.mediator import mediate_offline

LEXICON_CASES = [
    pytest.param(name, entry, id=f"{name}:{entry.regional}")
    for name in profile_names()
    for entry in load_profile(name).lexicon
]
# Words that contain lexicon entries (pana, re, mina, plata...) but are not them.
LOOKALIKES = "La panadería reabre; compramos empanadas, platanitos y terminamos la reunión."


@pytest.mark.parametrize(("name", "entry"), LEXICON_CASES)
def test_each_lexicon_entry_is_replaced_and_the_rest_kept(name, entry):
    tail = " cansado" if entry.before_word else ""
    spoken = f"Ayer en la oficina me dijeron {entry.regional}{tail}"

    mediated, changes = mediate_offline(spoken, load_profile(name))

    assert mediated == f"Ayer en la oficina me dijeron {entry.neutral}{tail}"
    assert changes == [entry.note]


@pytest.mark.parametrize("name", profile_names())
def test_lookalike_words_are_left_alone(name):
    assert mediate_offline(LOOKALIKES, load_profile(name)) == (LOOKALIKES, [])


@pytest.mark.parametrize("name", [n for n in profile_names() if n != "neutral"])
def test_other_regions_words_are_not_touched(name):
    """A profile replaces its own region's words, never another profile's."""
    own = {e.regional.lower() for e in load_profile(name).lexicon}
    foreign = [
        e.regional
        for other in profile_names()
        if other != name
        for e in load_profile(other).lexicon
        if e.regional.lower() not in own and not e.before_word and " " not in e.regional
    ]
    spoken = "Dijo " + ", ".join(foreign) + "."

    mediated, changes = mediate_offline(spoken, load_profile(name))

    assert (mediated, changes) == (spoken, [])


def test_neutral_only_removes_fillers():
    spoken = "Eh, la vaina con el pibe, este, fue un quilombo. Mmm, chévere."

    mediated, changes = mediate_offline(spoken, load_profile("neutral"))

    assert mediated == "La vaina con el pibe, fue un quilombo. Chévere."
    assert sorted(changes) == [
        "removed the filler «eh»",
        "removed the filler «este»",
        "removed the filler «mmm»",
    ]
