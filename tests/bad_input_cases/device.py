"""Bad-input cases for bigmodel_lib.device (format: tests/bad_input_cases/__init__.py)."""

import torch

from bigmodel_lib import device

CASES = [
    ("device-unknown", "device.pick_device", lambda: device.pick_device("gpu"), ValueError, r"device must be one of"),
    ("device-type", "device.pick_device", lambda: device.pick_device(3), TypeError, r"device must be a str"),
    ("device-missing", "device.pick_device", lambda: device.pick_device("cuda") if not torch.cuda.is_available() else
     device.pick_device("nonsense"), ValueError, r"device"),
    ("profile-unknown", "device.check_profile", lambda: device.check_profile("huge"), ValueError, r"profile must be one of"),
    ("profile-type", "device.setup", lambda: device.setup(profile=1), ValueError, r"profile must be one of"),
    ("seed-negative", "device.seed_everything", lambda: device.seed_everything(-1), ValueError, r"seed must be >= 0"),
    ("seed-type", "device.seed_everything", lambda: device.seed_everything(1.5), TypeError, r"seed must be an int"),
    ("autocast-device", "device.autocast", lambda: device.autocast("tpu"), ValueError, r"device must be one of"),
    ("threads-env-value", "device.choose_threads", lambda: device.choose_threads({"BIGMODEL_THREADS": "0"}),
     ValueError, r"BIGMODEL_THREADS must be a positive integer"),
    ("threads-environ-type", "device.choose_threads", lambda: device.choose_threads("OMP_NUM_THREADS=2"), TypeError,
     r"environ must be a mapping"),
    ("threads-cores", "device.choose_threads", lambda: device.choose_threads({}, cores=0), ValueError,
     r"cores must be a positive int"),
    ("cgroup-path-type", "device.cgroup_cpu_limit", lambda: device.cgroup_cpu_limit("/sys/fs/cgroup/cpu.max"),
     TypeError, r"v2 must be a pathlib.Path"),
    ("usable-cores-limit", "device.usable_cores", lambda: device.usable_cores(-1.0), ValueError,
     r"cgroup_limit must be a positive number"),
    ("usable-cores-affinity", "device.usable_cores", lambda: device.usable_cores(None, affinity=0), ValueError,
     r"affinity must be a positive int"),
    ("describe-build-info", "device.describe_build", lambda: device.describe_build("cpu"), TypeError,
     r"info must be a dict from build_info\(\)"),
    ("dev-setup-lang", "device.setup", lambda: device.setup(lang="english"), ValueError,
     r"lang must be one of \('en', 'zh'\), got 'english'"),
]
