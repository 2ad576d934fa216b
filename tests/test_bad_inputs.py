"""Wrong inputs to every public function, class and public method of bigmodel_lib.

Each must fail early with ValueError/TypeError whose message names the argument and what was expected:
never a bare shape error from deep inside torch, never a silent wrong result. (An exercise checker
answers a wrong answer with a failed Result instead: see tests/bad_input_cases/__init__.py.)

The cases live in tests/bad_input_cases/<module>.py, each declaring the callable it covers. The
meta-test walks every module of the package (subpackages included, and any module added later) and
fails, module by module, for a public callable that no case names, unless it takes no argument besides
self/cls (read from its signature) or EXEMPT below gives a reason.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest
import torch

import bigmodel_lib
from bigmodel_lib import attention
from bigmodel_lib.exercises import Result

TESTS = Path(__file__).resolve().parent
CASE_DIR = TESTS / "bad_input_cases"

# Public callables that take arguments but get no bad-input case, each with the reason.
EXEMPT: dict[str, str] = {
}


# ------------------------------------------------------------------ the case table
def _load_cases() -> tuple[list[tuple], list[str]]:
    """Every (file, case_id, qualname, thunk, exc, regex) from tests/bad_input_cases/*.py, and the
    problems found while loading (a file that does not import, a malformed case)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    cases, problems = [], []
    for path in sorted(CASE_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        try:
            mod = importlib.import_module(f"bad_input_cases.{path.stem}")
        except Exception as e:  # noqa: BLE001  (reported by test_case_files_load)
            problems.append(f"{path.name} does not import: {type(e).__name__}: {e}")
            continue
        table = getattr(mod, "CASES", None)
        if not isinstance(table, list):
            problems.append(f"{path.name} has no CASES list")
            continue
        for i, case in enumerate(table):
            ok = (isinstance(case, tuple) and len(case) == 5 and isinstance(case[0], str)
                  and isinstance(case[1], str) and callable(case[2]) and isinstance(case[4], str)
                  and (case[3] is Result or (isinstance(case[3], type) and issubclass(case[3], BaseException))))
            if not ok:
                problems.append(f"{path.name}: CASES[{i}] is not (case_id, 'module.QualName', thunk, "
                                f"ExcType, regex): {case!r}"[:300])
                continue
            cases.append((path.name, *case))
    return cases, problems


CASES, LOAD_PROBLEMS = _load_cases()


def test_case_files_load():
    assert not LOAD_PROBLEMS, "\n".join(LOAD_PROBLEMS)


def test_case_ids_are_unique():
    seen: dict[str, str] = {}
    dupes = []
    for file, cid, *_ in CASES:
        if cid in seen:
            dupes.append(f"{cid} ({seen[cid]} and {file})")
        seen.setdefault(cid, file)
    assert not dupes, f"duplicate case ids: {dupes}"


@pytest.mark.parametrize("qualname,thunk,exc,pattern", [c[2:] for c in CASES], ids=[c[1] for c in CASES])
def test_bad_input_fails_early_and_clearly(qualname, thunk, exc, pattern):
    if exc is Result:   # an exercise checker: a wrong answer gets a failed Result with feedback
        got = thunk()
        assert isinstance(got, Result), f"{qualname} returned {type(got).__name__}, expected a Result"
        assert got.attempted and not got.passed, f"{qualname} accepted a wrong answer: {got!r}"
        assert re.search(pattern, got.message), f"{qualname}'s feedback {got.message!r} lacks {pattern!r}"
        return
    with pytest.raises(exc, match=pattern):
        thunk()


# ------------------------------------------------------------------ what must be covered
def _modules() -> tuple[list[str], dict[str, str]]:
    """Names of every public module of the package (relative, e.g. 'exercises.ch03'), and import errors."""
    names, errors = [], {}
    for info in pkgutil.walk_packages(bigmodel_lib.__path__, "bigmodel_lib.",
                                      onerror=lambda name: errors.setdefault(name, "import failed")):
        rel = info.name.removeprefix("bigmodel_lib.")
        if any(part.startswith("_") for part in rel.split(".")):
            continue                      # __main__ and private modules
        names.append(rel)
    return sorted(names), errors


def _takes_arguments(fn, is_method: bool) -> bool:
    """True unless the callable has no parameter besides self/cls (nothing a caller could get wrong)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    if is_method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    return bool(params)


def public_callables(rel: str) -> dict[str, bool]:
    """{"module.QualName": takes_arguments} for the module's own public functions and classes, and the
    public methods (plain, static, class) that each such class defines itself."""
    mod = importlib.import_module(f"bigmodel_lib.{rel}")
    out: dict[str, bool] = {}
    for name, obj in vars(mod).items():
        if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != mod.__name__:
            continue
        out[f"{rel}.{name}"] = _takes_arguments(obj, is_method=False)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                is_static = isinstance(member, staticmethod)
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if inspect.isfunction(member):
                    out[f"{rel}.{name}.{attr}"] = _takes_arguments(member, is_method=not is_static)
    return out


MODULES, MODULE_ERRORS = _modules()


def test_every_module_imports():
    assert not MODULE_ERRORS, f"modules that do not import: {MODULE_ERRORS}"


@pytest.mark.parametrize("rel", MODULES)
def test_every_public_callable_has_a_bad_input_case(rel):
    """Each public callable of the module that takes arguments is named by a case (or exempt with a reason)."""
    covered = {c[2] for c in CASES}
    wanted = public_callables(rel)
    missing = [q for q, takes_args in wanted.items() if takes_args and q not in covered and q not in EXEMPT]
    assert not missing, (f"public callables of bigmodel_lib.{rel} without a bad-input case (add them to "
                         f"tests/bad_input_cases/{rel.split('.')[0]}.py): {missing}")


def test_cases_and_exemptions_name_real_public_callables():
    """A case or an exemption naming a callable that does not exist (typo, renamed, removed) is stale."""
    known: set[str] = set()
    for rel in MODULES:
        try:
            known |= set(public_callables(rel))
        except Exception:  # noqa: BLE001  (test_every_module_imports reports it)
            pass
    stale = sorted({f"{c[1]} -> {c[2]}" for c in CASES if c[2] not in known})
    stale += [f"EXEMPT {q}" for q in EXEMPT if q not in known]
    assert not stale, f"cases/exemptions naming no public callable of bigmodel_lib: {stale}"


def test_meta_test_catches_an_uncovered_function_and_a_method(monkeypatch):
    """The meta-test itself can fail: a new function and a new method with arguments are reported."""
    from bigmodel_lib import data, models_table

    def brand_new(x):  # pragma: no cover - never called
        return x
    brand_new.__module__ = models_table.__name__
    monkeypatch.setattr(models_table, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(data.CharTokenizer, "brand_new_method", lambda self, y: y, raising=False)
    found = public_callables("models_table")
    assert found.get("models_table.brand_new") is True
    assert public_callables("data").get("data.CharTokenizer.brand_new_method") is True
    assert "models_table.brand_new" not in {c[2] for c in CASES}
    # and a method with nothing but self is exempt by its signature
    assert public_callables("train").get("train.History.as_dict") is False


# ------------------------------------------------------------------ one behaviour that is not an error
def test_fully_masked_queries_are_zero_not_nan():
    """A silent wrong result would be NaN spreading through a model from one all-padding row."""
    mha = attention.MultiHeadAttention(8, 2)
    x = torch.randn(1, 3, 8)
    mask = torch.zeros(1, 1, 3, 3, dtype=torch.bool)
    out, _ = mha(x, mask=mask)
    assert torch.isfinite(out).all()
