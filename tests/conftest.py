"""Shared fixtures. The no-network guard is installed by the repository's conftest.py (for this process and
every process the test run starts); its exception is re-exported here for tests that expect it."""
import os

import pytest
from bigmodel_netguard import NetworkBlocked  # noqa: F401  (registered by ../conftest.py)


@pytest.fixture
def sandbox_required() -> None:
    """Hostile code runs only inside a working sandbox: skip without one, but fail in CI (CI=1), where
    .ci/run installs bubblewrap."""
    from bigmodel_lib.sandbox import sandbox_status
    ok, why = sandbox_status()
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"no sandbox in CI: {why}")
    pytest.skip(f"no sandbox here: {why}")
