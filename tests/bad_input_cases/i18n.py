"""Bad-input cases for bigmodel_lib.i18n and bigmodel_lib.translate (format: tests/bad_input_cases/__init__.py)."""
from pathlib import Path

from bigmodel_lib import i18n, translate

from . import exit_message, scratch_dir

CASES = [
    ("i18n-check-lang", "i18n.check_lang", lambda: i18n.check_lang("fr"), ValueError,
     r"lang must be one of \('en', 'zh'\), got 'fr'"),
    ("i18n-set-lang", "i18n.set_language", lambda: i18n.set_language("chinese"), ValueError,
     r"lang must be one of .*got 'chinese'"),
    ("i18n-set-lang-type", "i18n.set_language", lambda: i18n.set_language(None), ValueError, r"lang must be one of"),
    ("i18n-translations", "i18n.translations", lambda: i18n.translations("de"), ValueError, r"lang must be one of"),
    ("i18n-tr-type", "i18n.tr", lambda: i18n.tr(["hello"]), TypeError, r"message must be a str"),
    ("i18n-tr-lang", "i18n.tr", lambda: i18n.tr("hello", lang="jp"), ValueError, r"lang must be one of"),
    ("i18n-figure-text", "i18n.figure_text", lambda: i18n.figure_text(None), TypeError, r"english must be a str"),
    ("i18n-glossary", "i18n.glossary", lambda: i18n.glossary(Path("/nonexistent/glossary.csv")), FileNotFoundError,
     r"path must be the glossary's CSV file"),
    ("tr-chapters-root", "translate.chapters", lambda: translate.chapters(Path("/nonexistent-course")),
     FileNotFoundError, r"root must hold a notebooks/ folder"),
    ("tr-chapters-only", "translate.chapters", lambda: translate.chapters(only=["3"]), ValueError,
     r"only must be a list of chapter numbers"),
    ("tr-extract-ch", "translate.extract_chapter", lambda: translate.extract_chapter("03"), TypeError,
     r"ch must be a Chapter"),
    ("tr-build-nb-missing", "translate.build_notebook",
     lambda: translate.build_notebook(Path("/nonexistent/03.ipynb"), []), FileNotFoundError,
     r"english must be an English notebook"),
    ("tr-build-nb-catalogue", "translate.build_notebook",
     lambda: translate.build_notebook(translate.chapters(only=["00"])[0].english, {}), TypeError,
     r"catalogue must be a polib.POFile"),
    ("tr-build-only", "translate.build", lambda: translate.build(write=False, only="03"), ValueError,
     r"only must be a list of chapter numbers"),
    ("tr-check-root", "translate.check", lambda: translate.check(Path(scratch_dir())), FileNotFoundError,
     r"root must hold a notebooks/ folder"),
    ("tr-glossary-only", "translate.glossary_problems", lambda: translate.glossary_problems(only=[3]), ValueError,
     r"only must be a list of chapter numbers"),
    ("tr-library-package", "translate.library_messages", lambda: translate.library_messages(Path("/nonexistent")),
     FileNotFoundError, r"package must be the library's folder"),
    ("tr-extract-library", "translate.extract_library", lambda: translate.extract_library(groups="ch03"), TypeError,
     r"groups must be a list of catalogue names"),
    ("tr-check-library", "translate.check_library", lambda: translate.check_library(groups=[3]), TypeError,
     r"groups must be a list of catalogue names"),
    ("tr-main-action", "translate.main", lambda: exit_message(translate.main, ["publish"]), ValueError,
     r"invalid choice: 'publish'"),
    ("tr-chapter-stem", "translate.Chapter",
     lambda: translate.Chapter("attention", Path("a"), None, Path("b"), Path("c"), None), ValueError,
     r"stem must be a chapter's name such as '03_attention'"),
]
