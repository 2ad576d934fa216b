"""The no-network guard is installed by the repository's conftest.py (for this process and every process
the test run starts); its exception is re-exported here for tests that expect it."""
from bigmodel_netguard import NetworkBlocked  # noqa: F401  (registered by ../conftest.py)
