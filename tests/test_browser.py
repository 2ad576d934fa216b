"""Chapter 03 in a real browser: JupyterLab in headless Chromium runs every cell from the Run menu, no cell
shows an error, and the attention explorer's slider answers a key press.

Needs Debian's `chromium` (no Playwright browser download). When none is found a learner's own run skips
it with a reason, but under CI (the CI environment variable set, as .ci/run sets it) a missing browser
is a failure: CI must not pass without this test. Everything it writes (a copy of the notebook,
JupyterLab's settings, the screenshot) goes into tmp_path.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "03_attention.ipynb"
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-checker-imaging"]   # paint images at once (else a fresh plot can show half drawn)
RUN_ALL_TIMEOUT_S = 300      # chapter 03 takes about a minute on 2 idle cores; a shared CI box is slower

NO_CHROMIUM = ("no chromium found (/usr/bin/chromium or `chromium` on PATH); install Debian's package: "
               "apt-get install -y chromium (.ci/run does this)")


def under_ci(environ=os.environ) -> bool:
    """CI=1, CI=true (GitHub Actions, GitLab, .ci/run...); unset, empty, 0 or false is a learner's run."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium(chromium, environ=os.environ) -> None:
    """Skip without a browser on a learner's machine; fail under CI, where skipping would hide the test."""
    if chromium is not None:
        return
    if under_ci(environ):
        pytest.fail(f"CI is set and the browser test cannot run: {NO_CHROMIUM}", pytrace=False)
    pytest.skip(NO_CHROMIUM)


def test_missing_chromium_fails_under_ci_and_skips_otherwise():
    with pytest.raises(pytest.fail.Exception, match="CI is set and the browser test cannot run: no chromium"):
        require_chromium(None, {"CI": "1"})
    with pytest.raises(pytest.fail.Exception, match="no chromium"):
        require_chromium(None, {"CI": "true"})
    for learner in ({}, {"CI": ""}, {"CI": "0"}, {"CI": "false"}):
        with pytest.raises(pytest.skip.Exception, match="no chromium"):
            require_chromium(None, learner)
    require_chromium("/usr/bin/chromium", {"CI": "1"})     # a browser: nothing to say


@pytest.fixture
def chromium() -> str:
    require_chromium(CHROMIUM)
    return CHROMIUM

# JupyterLab user settings for the test: no news/update pop-up, no "Select Kernel" dialog, and every cell
# kept in the DOM (windowing would leave off-screen cells unrendered, hiding prompts and outputs).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none", "autoStartDefaultKernel": True},
}

# The state of the notebook as the page shows it: every code cell's prompt, the kernel status,
# and the text of stderr outputs that carry a traceback (JupyterLab renders an error output with the
# stderr MIME type, so "is it an error" is read from its text: IPython's header line and the traceback).
PAGE_STATE_JS = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
      .map(p => p.textContent.trim());
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const errors = [...document.querySelectorAll(
      '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(o => o.innerText)
      .filter(t => /Traceback \\(most recent call last\\)|^\\w*(Error|Exception)\\b/m.test(t));
  return {prompts, status: ind ? ind.dataset.status : null, errors};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a copy of chapter 03 from tmp_path; stopped by its PID afterwards."""
    yield from serve_lab(tmp_path, CHAPTER)


def serve_lab(tmp_path: Path, notebook: Path):
    """JupyterLab serving a copy of `notebook` from tmp_path (a generator: yields url, root and log)."""
    if not notebook.exists():
        pytest.fail(f"{notebook.relative_to(ROOT)} is missing")
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)
    settings = tmp_path / "lab-settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
               JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    port, token = free_port(), os.urandom(16).hex()
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         f"--ServerApp.token={token}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    print(f"JupyterLab pid {server.pid} on port {port}, log {tmp_path / 'jupyterlab.log'}")
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{_tail(tmp_path / 'jupyterlab.log')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in 120 s:\n{_tail(tmp_path / 'jupyterlab.log')}")
                time.sleep(1)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}", "root": root,
               "log": tmp_path / "jupyterlab.log"}
    finally:
        server.terminate()                      # JupyterLab shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


def _tail(path: Path, n: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def _save_screenshot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / "test-artifacts" / name
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    if os.environ.get("TEST_ARTIFACTS"):
        dest = Path(os.environ["TEST_ARTIFACTS"])
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest / name)
        print(f"screenshot copied to {dest / name}")
    print(f"screenshot: {shot}")
    return shot


def open_page(playwright, chromium: str, url: str):
    """Headless Chromium on `url` in a 1400×1000 window, 60 s per action: (browser, page)."""
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url)
    return browser, page


def _click_run_all(page) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()


def _run_all_and_wait(page) -> dict:
    """Run > Run All Cells, then poll until no cell is queued or running and the kernel is idle."""
    _click_run_all(page)
    clicked, clicks = time.monotonic(), 1
    deadline, settled, state = clicked + RUN_ALL_TIMEOUT_S, 0, {}
    while time.monotonic() < deadline:
        time.sleep(2)
        state = page.evaluate(PAGE_STATE_JS)
        started = any(re.fullmatch(r"\[\d+\]:", p) for p in state["prompts"])
        running = any("*" in p for p in state["prompts"])
        if not (started or running) and time.monotonic() - clicked > 30:
            # JupyterLab marks queued cells [*] as soon as it sends them, so nothing was sent: click again
            if clicks == 2:
                raise AssertionError(f"Run All Cells started no cell (clicked twice); page state: {state}")
            _click_run_all(page)
            clicked, clicks = time.monotonic(), 2
        settled = settled + 1 if (started and not running and state["status"] == "idle") else 0
        if settled >= 2:                       # idle twice in a row: the run is over (or stopped at an error)
            return state
    raise AssertionError(f"Run All did not finish in {RUN_ALL_TIMEOUT_S} s; last page state: {state}")


def test_chapter_03_runs_in_jupyterlab_and_its_slider_reacts(chromium, lab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    start = time.monotonic()
    with sync_playwright() as p:
        browser, page = open_page(p, chromium, lab["url"])
        try:
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            # The kernel is ready when the status bar reads "Python 3 (ipykernel) | Idle"; the toolbar's
            # execution indicator alone is no signal: it reads idle before the kernel even starts.
            page.locator(".jp-StatusBar-Left", has_text=re.compile(r"\| Idle")).wait_for(timeout=120_000)
            dialog = page.locator(".jp-Dialog .jp-mod-accept")   # a "Select Kernel" dialog, if one still shows
            if dialog.count():
                dialog.first.click()
            state = _run_all_and_wait(page)
            ran = time.monotonic() - start
            print(f"chapter 03: page open and Run All finished in {ran:.0f} s")

            assert not state["errors"], "cells show errors:\n" + "\n\n".join(e[-1500:] for e in state["errors"])
            unrun = [i for i, prompt in enumerate(state["prompts"]) if not re.fullmatch(r"\[\d+\]:", prompt)]
            assert not unrun, f"code cells {unrun} did not run (prompts {state['prompts']})"

            # The saved file holds the frontend's model: it must carry no error output either.
            saved = lab["root"] / CHAPTER.name
            copied = saved.stat().st_mtime_ns
            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).click()
            page.locator(".lm-Menu-item", has_text=re.compile(r"^Save( Notebook)?\b")).first.click()
            deadline = time.monotonic() + 60
            while saved.stat().st_mtime_ns == copied:
                assert time.monotonic() < deadline, "File > Save did not write the notebook within 60 s"
                time.sleep(1)
            time.sleep(1)                              # the server writes the file in one go; be safe
            nb = json.loads(saved.read_text())
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            errors = [(i, o["ename"], o["evalue"]) for i, c in enumerate(code) for o in c["outputs"]
                      if o["output_type"] == "error"]
            assert not errors, f"error outputs in the saved notebook: {errors}"
            assert all(c["execution_count"] for c in code), "the saved notebook has code cells that never ran"

            # The explorer: a slider is rendered; a key press on it changes what its output shows.
            slider = page.locator(".widget-slider").first
            expect(slider).to_be_visible(timeout=30_000)
            slider.scroll_into_view_if_needed()
            widget_cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
            output = widget_cell.locator(".widget-output").first
            expect(output).not_to_be_empty(timeout=30_000)
            readout = slider.locator(".widget-readout")
            before_text, before_value = output.inner_text(), readout.inner_text()
            slider.locator(".noUi-handle").first.focus()
            page.keyboard.press("ArrowRight")
            expect(readout).not_to_have_text(before_value, timeout=30_000)
            expect(output).not_to_have_text(before_text, timeout=60_000)
            print(f"slider {before_value} -> {readout.inner_text()}; "
                  f"output now starts {output.inner_text()[:80]!r}")
            # let the re-drawn plot arrive and be painted before the picture is taken
            page.locator(".jp-StatusBar-Left", has_text=re.compile(r"\| Idle")).wait_for(timeout=60_000)
            output.evaluate("el => Promise.all([...el.querySelectorAll('img')].map(i => i.decode()))")
            output.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            _save_screenshot(page, tmp_path, "03_attention_jupyterlab.png")
        except Exception:
            _save_screenshot(page, tmp_path, "03_attention_jupyterlab_failure.png")
            print(_tail(lab["log"]))
            raise
        finally:
            browser.close()
    print(f"browser test took {time.monotonic() - start:.0f} s")


ZH_CHAPTER = ROOT / "notebooks" / "zh" / "00_setup.ipynb"
CJK_FAMILY = re.compile(r"CJK|Hei|Song|Ming|Kai|WenQuanYi|Source Han|PingFang|YaHei|Hiragino|Droid Sans Fallback",
                        re.I)


def test_a_chinese_chapter_opens_in_jupyterlab_with_every_glyph_drawn(chromium, tmp_path):
    """The Chinese chapter 00 in JupyterLab: its title and first paragraphs render, and Chromium reports (through
    its DevTools protocol, CSS.getPlatformFontsForNode) that a CJK font drew every Chinese character of them: a
    character no font has would be drawn as a box by some other font, and counted there instead."""
    from playwright.sync_api import sync_playwright

    lab_gen = serve_lab(tmp_path, ZH_CHAPTER)
    lab_zh = next(lab_gen)
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, chromium, lab_zh["url"])
            try:
                heading = page.locator(".jp-RenderedMarkdown h1").first
                heading.wait_for(timeout=120_000)
                title = heading.inner_text()
                assert re.search(r"[\u4e00-\u9fff]", title), f"the title is not Chinese: {title!r}"
                cdp = page.context.new_cdp_session(page)
                cdp.send("DOM.enable")
                cdp.send("CSS.enable")
                root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
                nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root,
                                                          "selector": ".jp-RenderedMarkdown h1, "
                                                                      ".jp-RenderedMarkdown p"})["nodeIds"]
                checked, report = 0, []
                for node in nodes[:12]:
                    text = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
                    han = len(re.findall(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", text)))
                    if not han:
                        continue
                    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
                    cjk = sum(f["glyphCount"] for f in fonts if CJK_FAMILY.search(f["familyName"]))
                    report.append((han, [(f["familyName"], f["glyphCount"]) for f in fonts]))
                    checked += 1
                    assert cjk >= han, (f"{han} Chinese characters, but CJK fonts drew {cjk} glyphs: the rest are "
                                        f"boxes. Fonts used: {fonts} (apt-get install fonts-noto-cjk)")
                assert checked >= 2, f"found too few Chinese paragraphs to check: {report}"
                print(f"checked {checked} paragraphs; fonts: {report[:3]}")
                _save_screenshot(page, tmp_path, "00_setup_zh_jupyterlab.png")
            finally:
                browser.close()
    finally:
        lab_gen.close()
