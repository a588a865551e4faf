"""The bundled caption font: where it is, what it can draw, and how wide a text comes out."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

FONT_FAMILY = "DejaVu Sans"
FONT_FILE = "DejaVuSans-Bold.ttf"
"""DejaVu Sans Bold (Bitstream Vera licence, bundled_fonts/LICENSE): Spanish ñ á ¿ ¡ and more."""

# Emoji and their glue: the font has monochrome faces for some, but a caption shows words.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, transport, flags' regional indicators
    (0x2300, 0x23FF),  # watch, hourglass, media keys
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats (☀ ❤ ✅)
    (0x2B00, 0x2BFF),  # arrows and stars (⭐ ⬆)
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0x200D, 0x200D),  # zero-width joiner
    (0x20E3, 0x20E3),  # combining keycap
    (0xE0000, 0xE007F),  # tags (subdivision flags)
)


def fonts_dir() -> Path:
    """The directory handed to libass as its fonts dir, so no system font stands in."""
    return Path(str(files(__package__).joinpath("bundled_fonts")))


@dataclass(frozen=True)
class FontMetrics:
    """What libass needs to size a line: advances in font units and the em of a font size."""

    codepoints: frozenset[int]
    advances: dict[int, int]
    units_per_em: int
    real_height_units: int  # libass scales a font size to ascent + descent (GDI's way)

    def width_px(self, text: str, font_px: float) -> float:
        """How wide `text` is drawn at libass font size `font_px`, without its outline."""
        fallback = self.advances.get(ord("M"), self.units_per_em)
        units = sum(self.advances.get(ord(c), fallback) for c in text)
        return units * font_px / self.real_height_units


@cache
def caption_font() -> FontMetrics:
    """The bundled caption font's metrics, read once per process."""
    from fontTools.ttLib import TTFont

    font = TTFont(fonts_dir() / FONT_FILE, lazy=True)
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    os2 = font["OS/2"]
    return FontMetrics(
        codepoints=frozenset(cmap),
        advances={code: metrics[glyph][0] for code, glyph in cmap.items()},
        units_per_em=font["head"].unitsPerEm,
        real_height_units=os2.usWinAscent + os2.usWinDescent,
    )


def _is_emoji(code: int) -> bool:
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def drawable(text: str) -> str:
    """`text` with emoji and characters the font cannot draw dropped, spaces tidied."""
    font = caption_font()
    kept = []
    for char in unicodedata.normalize("NFC", text):
        code = ord(char)
        if char.isspace():
            kept.append(" ")
        elif (
            not _is_emoji(code) and code in font.codepoints and unicodedata.category(char)[0] != "C"
        ):
            kept.append(char)
    # An emoji dropped from "autobús 🚌." must not leave "autobús ." behind.
    return re.sub(r"\s+([.,;:!?…)»])", r"\1", " ".join("".join(kept).split()))
