"""A font that renders Japanese, for matplotlib.

Found, in order: the IPAex Gothic font that the ``matplotlib-fontja``
package ships (part of ``timeline-ledger[plot]``, so a plain ``pip install`` is
enough), then a CJK font installed on the system that matplotlib's font
manager sees (Debian's ``fonts-ipafont-gothic``, ``fonts-noto-cjk``, ...).
Nothing here imports matplotlib at import time.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Final

from timeline.exceptions import TimelineError

__all__ = ["JapaneseFontMissingError", "families", "japanese_font"]

# Families known to carry Japanese glyphs, best first.
CJK_FAMILIES: Final = (
    "IPAexGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAGothic",
    "IPAPGothic",
    "Source Han Sans JP",
    "TakaoGothic",
    "VL Gothic",
)
LATIN: Final = "DejaVu Sans"


class JapaneseFontMissingError(TimelineError, LookupError):
    """No font with Japanese glyphs is available to matplotlib."""


def _fontja_files() -> list[Path]:
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        return []
    files: list[Path] = []
    for location in spec.submodule_search_locations:
        files.extend(sorted(Path(location).glob("fonts/*.ttf")))
    return files


@functools.cache
def japanese_font() -> str | None:
    """The family name of a font with Japanese glyphs, registered with
    matplotlib's font manager; None if there is none."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    for path in _fontja_files():
        if not any(Path(entry.fname) == path for entry in manager.ttflist):
            manager.addfont(str(path))
    names = {entry.name for entry in manager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    return None


def families(lang: str) -> list[str]:
    """``font.family`` for a chart in ``lang``: Japanese first for ``ja``;
    for English the Latin font, falling back to the Japanese one for any
    Japanese text (matplotlib falls back glyph by glyph)."""
    cjk = japanese_font()
    if cjk is None:
        if lang == "ja":
            raise JapaneseFontMissingError(
                "no font with Japanese glyphs found for --lang ja: "
                "pip install 'timeline-ledger[plot]' (it brings matplotlib-fontja), "
                "or install a CJK font such as Debian's fonts-ipafont-gothic"
            )
        return [LATIN]
    return [cjk, LATIN] if lang == "ja" else [LATIN, cjk]
