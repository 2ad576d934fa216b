"""The no-network guard (tests/_netguard, installed by conftest.py) really blocks, in the pytest process
and in the processes the test run starts: a notebook kernel run by papermill (as nbval runs chapters),
`bigmodel run` and its kernel, a kernel that JupyterLab starts, and torchrun's workers. Loopback stays
open in each of them.

192.0.2.1 is TEST-NET-1 (RFC 5737): an address that exists on no network, so without the guard a
connection there fails only after a timeout or with "network unreachable", never with the guard's words.
"""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NETGUARD_DIR = ROOT / "tests" / "_netguard"
OUTSIDE = ("192.0.2.1", 80)

if "bigmodel_netguard" in sys.modules:           # installed by conftest.py
    guard = sys.modules["bigmodel_netguard"]
else:                                            # run without the repository's conftest: load it to name it
    _spec = importlib.util.spec_from_file_location("bigmodel_netguard", NETGUARD_DIR / "bigmodel_netguard.py")
    guard = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(guard)
NetworkBlocked = guard.NetworkBlocked


@pytest.fixture
def private_log(tmp_path, monkeypatch):
    """Refusals this test provokes on purpose go to its own log, not the session's (which must stay empty)."""
    log = tmp_path / "netguard.log"
    monkeypatch.setenv(guard.LOG_ENV, str(log))
    return log


def test_outside_connection_is_refused(private_log):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlocked, match="no-network guard"):
            s.connect(("93.184.216.34", 80))
    finally:
        s.close()
    with pytest.raises(NetworkBlocked, match="name lookup"):
        socket.getaddrinfo("example.com", 443)
    assert len(private_log.read_text().splitlines()) == 2, "each refusal is logged"


def test_localhost_is_allowed():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()


def test_children_inherit_the_guard():
    assert os.environ["PYTHONPATH"].split(os.pathsep)[0] == str(NETGUARD_DIR), \
        "conftest.py must put tests/_netguard first on PYTHONPATH for the processes the tests start"
    assert os.environ.get(guard.LOG_ENV), "conftest.py must give the session a log of refused attempts"


# The same probe, run in each kind of child process: an outside connection (refused, and by whom), and a
# connection over loopback to a server in the same process (must work).
PROBE = textwrap.dedent("""
    import socket

    def probe():
        try:
            socket.create_connection(("192.0.2.1", 80), timeout=3).close()
            outside = "connected"
        except Exception as e:
            outside = f"{type(e).__name__}: {e}"
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        try:
            socket.create_connection(server.getsockname(), timeout=3).close()
            loopback = "ok"
        except Exception as e:
            loopback = f"{type(e).__name__}: {e}"
        finally:
            server.close()
        return {"outside": outside, "loopback": loopback}
""")


def _assert_refused_by_guard(result: dict, where: str) -> None:
    assert "no-network guard" in result["outside"], \
        f"{where}: the outside connection was not refused by the guard: {result['outside']}"
    assert result["loopback"] == "ok", f"{where}: loopback must stay open, got {result['loopback']}"


def test_notebook_kernel_run_by_papermill_is_guarded(tmp_path, private_log):
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PROBE + "\nimport json\nprint('PROBE', json.dumps(probe()))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src, out = tmp_path / "probe.ipynb", tmp_path / "probe.out.ipynb"
    nbformat.write(nb, src)
    papermill.execute_notebook(str(src), str(out), kernel_name="python3", cwd=str(tmp_path), progress_bar=False,
                               execution_timeout=120)
    text = "".join(o.get("text", "") for o in nbformat.read(out, as_version=4).cells[0].outputs)
    line = next(ln for ln in text.splitlines() if ln.startswith("PROBE "))
    _assert_refused_by_guard(json.loads(line[len("PROBE "):]), "notebook kernel")
    assert "192.0.2.1" in private_log.read_text(), "the kernel's refusal must reach the session's log file"


def test_bigmodel_run_and_its_kernels_are_guarded(tmp_path, private_log):
    """`bigmodel run` as a learner types it, in its own process, running a chapter-named probe notebook."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PROBE + "\nimport json\nprint('PROBE', json.dumps(probe()))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "00_probe.ipynb")
    r = subprocess.run([sys.executable, "-m", "bigmodel_lib", "run", "--notebooks-dir", str(tmp_path / "nb"),
                        "-o", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"bigmodel run failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    executed = nbformat.read(tmp_path / "out" / "00_probe.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    line = next(ln for ln in text.splitlines() if ln.startswith("PROBE "))
    _assert_refused_by_guard(json.loads(line[len("PROBE "):]), "kernel of bigmodel run")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_kernel_is_guarded(tmp_path, private_log):
    """JupyterLab, as a learner starts it: a kernel it starts runs the probe (sent over its websocket)."""
    import time
    import urllib.request
    import uuid

    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    port, token = _free_port(), uuid.uuid4().hex
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                               f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.token={token}", f"--ServerApp.root_dir={tmp_path}"],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"JupyterLab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}"
            try:
                urllib.request.urlopen(urllib.request.Request(f"{base}/api/status", headers=auth), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not answer in 120 s"
                time.sleep(1)
        req = urllib.request.Request(f"{base}/api/kernels", data=b"{}", method="POST",
                                     headers={**auth, "Content-Type": "application/json"})
        kernel = json.loads(urllib.request.urlopen(req, timeout=60).read())

        async def run_probe() -> str:
            ws = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}")
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": PROBE + "\nimport json\nprint('PROBE', json.dumps(probe()))", "silent": False,
                            "store_history": False, "user_expressions": {}, "allow_stdin": False}}))
            out = ""
            while True:
                raw = await ws.read_message()
                assert raw is not None, "the kernel's websocket closed"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out += msg["content"]["text"]
                if msg["msg_type"] == "error":
                    raise AssertionError(f"the probe raised in the kernel: {msg['content']}")
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    ws.close()
                    return out

        text = IOLoop.current().run_sync(run_probe, timeout=120)
        line = next(ln for ln in text.splitlines() if ln.startswith("PROBE "))
        _assert_refused_by_guard(json.loads(line[len("PROBE "):]), "kernel started by JupyterLab")
    finally:
        server.terminate()                       # JupyterLab shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


def test_torchrun_workers_are_guarded(tmp_path, private_log):
    """Two gloo workers (as chapter 09 starts them): they rendezvous and all-reduce over loopback, and
    each one's outside connection is refused."""
    script = tmp_path / "worker.py"
    script.write_text(PROBE + textwrap.dedent("""
        import json, os, sys
        import torch
        import torch.distributed as dist

        dist.init_process_group("gloo")
        rank = dist.get_rank()
        t = torch.ones(1) * (rank + 1)
        dist.all_reduce(t)
        result = probe()
        result["all_reduce"] = t.item()
        with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
            json.dump(result, f)
        dist.destroy_process_group()
    """))
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                        str(script), str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert r.returncode == 0, f"torchrun failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    for rank in (0, 1):
        result = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert result["all_reduce"] == 3.0
        _assert_refused_by_guard(result, f"torchrun worker {rank}")
    assert private_log.read_text().count("192.0.2.1") >= 2


def test_guard_keeps_the_sitecustomize_it_shadows(tmp_path):
    """A venv or system sitecustomize further down the path still runs after the guard's."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os\nos.environ['OTHER_SITECUSTOMIZE_RAN'] = '1'\n")
    code = ("import os, socket, bigmodel_netguard\n"
            "print(os.environ.get('OTHER_SITECUSTOMIZE_RAN'), bigmodel_netguard.installed())")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(NETGUARD_DIR), str(other)]))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "True"]
