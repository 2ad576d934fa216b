"""Runs at the start of every Python process whose PYTHONPATH begins with this folder (the test session
sets it): install the no-network guard (bigmodel_netguard.py), then run the sitecustomize this file
shadows, if the interpreter has one further down sys.path (a venv's or the system's), so that nothing
it does is lost."""
import importlib.machinery
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))

import bigmodel_netguard  # noqa: E402  (found next to this file)

bigmodel_netguard.install()


def _run_shadowed_sitecustomize() -> None:
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or os.path.dirname(os.path.abspath(spec.origin or "")) == _here:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_run_shadowed_sitecustomize()
