"""The offline mediator changes regional words, keeps everything else, and says what it did."""

import pytest

from editorbot.dialects import load_profile, profile_names
from editorbot.errors import UnknownDialect
from editorbot.offline.mediator import mediate_offline
from editorbot.text_engine import resolve_profile


def test_rioplatense_words_become_pan_hispanic():
    text, changes = mediate_offline(
        "Che, estaba re cansado y un pibe en el colectivo me pidió guita.",
        load_profile("rioplatense"),
    )
    assert text == "Oye, estaba muy cansado y un chico en el autobús me pidió dinero."
    assert len(changes) == 5 and any("colectivo" in c for c in changes)


def test_venezuelan_words_keep_grammatical_gender():
    text, _ = mediate_offline(
        "Mi pana me consiguió una chamba y la vaina salió chévere.", load_profile("venezuelan")
    )
    assert text == "Mi amigo me consiguió un trabajo y la cosa salió genial."


def test_fillers_go_but_the_same_words_used_normally_stay():
    text, changes = mediate_offline(
        "Este, mmm, creo que este libro es bueno, o sea, muy bueno.", load_profile("neutral")
    )
    assert text == "Creo que este libro es bueno, muy bueno."
    assert sorted(changes) == [
        "removed the filler «este»",
        "removed the filler «mmm»",
        "removed the filler «o sea»",
    ]


@pytest.mark.parametrize("name", profile_names())
def test_text_without_regional_words_is_left_alone(name):
    text = "Hoy quiero hablar de la inflación y de cómo cambia la vida de la gente."
    assert mediate_offline(text, load_profile(name)) == (text, [])


@pytest.mark.parametrize("name", ["venezuelan", "rioplatense"])
def test_every_lexicon_entry_is_replaced(name):
    for entry in load_profile(name).lexicon:
        sample = (
            f"Dije {entry.regional} ayer."
            if not entry.before_word
            else f"Es {entry.regional} bueno."
        )
        text, changes = mediate_offline(sample, load_profile(name))
        assert entry.neutral in text and changes, entry


def test_auto_picks_the_profile_whose_words_occur():
    assert resolve_profile("auto", "un pibe en el colectivo").name == "rioplatense"
    assert resolve_profile("auto", "mi pana tiene una vaina").name == "venezuelan"
    assert resolve_profile("auto", "hola a todos").name == "neutral"


def test_unknown_dialect_lists_the_choices():
    with pytest.raises(UnknownDialect, match="venezuelan"):
        load_profile("martian")


def test_a_question_that_lost_its_filler_still_starts_with_a_capital():
    text, _ = mediate_offline("Mmm, ¿y si lo intentamos?", load_profile("neutral"))
    assert text == "¿Y si lo intentamos?"
