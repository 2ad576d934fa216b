"""The course's languages: English, the source, and Chinese (`lang="zh"`), through gettext catalogues.

What the library says to a learner (exercise verdicts and hints, the quiz, figure labels, widget captions,
errors about bad parameters) goes through `tr`, which looks the English text up in the catalogues under
`bigmodel_lib/locale/<lang>/*.po` and falls back to English for anything not (yet) translated. Figure labels
are translated only where matplotlib has a CJK font: without one Chinese glyphs would print as empty boxes, so
the figure keeps its English labels instead (`figure_text`).
"""
from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

#: The editions of the course: English (the source) and Chinese.
LANGS = ("en", "zh")
#: Where the library's catalogues live: one .po file per group of modules, all of them read together.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: Fonts with Chinese glyphs that matplotlib may find, best first (Linux, macOS, Windows).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
             "Arial Unicode MS", "Noto Sans CJK JP", "Droid Sans Fallback")

#: The glossary (术语表): one Chinese term for each technical term, used by every chapter of the Chinese edition.
GLOSSARY = LOCALE_DIR / "glossary.csv"

_lang = "en"


def check_lang(lang: str) -> str:
    """`lang` itself when it is an edition of the course, else a ValueError that lists them."""
    if not isinstance(lang, str) or lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def set_language(lang: str) -> str:
    """Make `lang` the language of everything the library says from now on in this process; for "zh" also
    give matplotlib a CJK font when the machine has one. Returns the language."""
    global _lang
    _lang = check_lang(lang)
    if lang == "zh":
        use_cjk_font()
    return lang


def get_language() -> str:
    """The language set by `set_language` (or `setup(..., lang=...)`); "en" until then."""
    return _lang


def _read_catalogue(lang: str) -> "gettext.NullTranslations":
    import polib

    merged = polib.POFile()
    merged.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for path in sorted((LOCALE_DIR / lang).glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.fuzzy and not entry.obsolete:
                merged.append(polib.POEntry(msgid=entry.msgid, msgstr=entry.msgstr))
    return gettext.GNUTranslations(io.BytesIO(merged.to_binary()))


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> "gettext.NullTranslations":
    """The gettext translations of `lang` (English: the identity), read once from its catalogues; fuzzy and
    empty entries are left out, so their English stands."""
    check_lang(lang)
    if lang == "en" or not (LOCALE_DIR / lang).is_dir():
        return gettext.NullTranslations()
    return _read_catalogue(lang)


def tr(message: str, /, lang: str | None = None, **values) -> str:
    """`message` in the current language (or `lang`), then filled in with `values` by str.format.
    The English text is the key; anything without a translation stays English."""
    if not isinstance(message, str):
        raise TypeError(f"message must be a str (the English text), got {type(message).__name__}")
    lang = _lang if lang is None else check_lang(lang)
    text = message if lang == "en" else translations(lang).gettext(message)
    return text.format(**values) if values else text


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of a font with Chinese glyphs that matplotlib can use on this machine, or None.
    Looks in matplotlib's font list first, then once in the system's font folders (a font installed after
    matplotlib built its cache is not in the list). Looked up once per process: every figure label asks."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    if not _scanned_system_fonts():
        return None
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


@functools.lru_cache(maxsize=1)
def _scanned_system_fonts() -> bool:
    """Add the system's CJK font files to matplotlib's list (once per process); True when any was added."""
    from matplotlib import font_manager

    hints = ("cjk", "wqy", "wenquanyi", "simhei", "yahei", "msyh", "pingfang", "heiti", "hiragino", "sourcehan",
             "droidsansfallback", "notosanssc", "arialuni")
    added = False
    for path in font_manager.findSystemFonts():
        flat = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(h in flat for h in hints):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue
    return added


def use_cjk_font() -> str | None:
    """Let matplotlib draw Chinese: the font family becomes [the default sans-serif font, the CJK font found by
    `cjk_font`], so Latin letters keep their usual look and each Chinese glyph falls back to the CJK font.
    (matplotlib falls back glyph by glyph along `font.family` only: a CJK font second in `font.sans-serif` is
    never reached.) Returns the font's name, or None when the machine has none (figures keep English labels)."""
    import matplotlib

    font = cjk_font()
    if font is not None:
        first = next((f for f in matplotlib.rcParams["font.sans-serif"] if f != font), "DejaVu Sans")
        matplotlib.rcParams["font.family"] = [first, font]
    return font


def figure_text(english: str) -> str:
    """A figure's label in the current language when matplotlib can draw it: Chinese needs a CJK font, and
    without one the English label stands (never boxes of missing glyphs)."""
    if not isinstance(english, str):
        raise TypeError(f"english must be a str (the label's English text), got {type(english).__name__}")
    if _lang == "en" or cjk_font() is None:
        return english
    return tr(english)


def glossary(path: Path = GLOSSARY) -> list[dict[str, str]]:
    """The course's glossary (术语表) as rows of english, chinese, source ("article": the article's own term;
    "standard": the usual term in Chinese ML writing; "course": the course's own words) and check ("yes": a test
    holds every translated chapter to it)."""
    import csv

    if not Path(path).is_file():
        raise FileNotFoundError(f"path must be the glossary's CSV file, got {path}")
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
