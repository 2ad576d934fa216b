"""`bigmodel run` pages work without internet: headless Chromium, every request that is not a local file
refused, opens the pages; the formulas are typeset by the MathJax copy next to them (MathJax elements, no
raw `$...$` left in the text), the plot is shown, and the course home links each chapter with its summary;
every page has previous / home / next links.

Two tiny chapters keep it quick (one kernel start each); everything is written into tmp_path.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium found (/usr/bin/chromium or `chromium` on PATH); install Debian's package: "
           "apt-get install -y chromium (.ci/run does this)")

MATH_MD = ("# 00 · Math page\n\nAfter this chapter you can read $\\sqrt{d_k}$ inline.\n\n"
           "Attention is $$\\mathrm{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V$$ "
           "and a sum $\\sum_{i=1}^{n} x_i$.")
PLOT = ("import matplotlib\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\n"
        "ax.plot([0, 1, 2], [0, 1, 4])\nplt.show()")
WIDGET = "import ipywidgets as w\nw.IntSlider(value=3)"


def chapter(path: Path, md: str, *code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    params = nbformat.v4.new_code_cell('profile = "default"\ndevice = "auto"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(md), params] + [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("offline")
    nbs = tmp / "notebooks"
    nbs.mkdir()
    chapter(nbs / "00_math.ipynb", MATH_MD, "x = 1")
    chapter(nbs / "01_plot.ipynb", "# 01 · Plot page\n\nAfter this chapter you have seen a parabola.",
            PLOT, WIDGET)
    out = tmp / "site"
    res = subprocess.run([sys.executable, "-m", "bigmodel_lib", "run", "--notebooks-dir", str(nbs), "-o",
                          str(out)], cwd=tmp, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_pages_reference_nothing_online(pages):
    for page in ("index.html", "00_math.html", "01_plot.html"):
        text = (pages / page).read_text()
        sources = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]+)"', text)
        online = [s for s in sources if re.match(r"(https?:)?//", s)]
        assert not online, f"{page} loads {online}"
    assert (pages / "_static" / "mathjax" / "MathJax.js").is_file()


def test_math_typesets_and_plots_show_with_the_network_blocked(pages):
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file://"):
            return route.continue_()
        refused.append(route.request.url)
        return route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", only_files)
            page.goto((pages / "00_math.html").as_uri())
            page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                                   "&& document.querySelectorAll('.MathJax, .MathJax_Display').length >= 3",
                                   timeout=60_000)
            typeset = page.evaluate("document.querySelectorAll('.MathJax, .MathJax_Display').length")
            errors = page.evaluate("document.querySelectorAll('.MathJax_Error, merror').length")
            prose = page.evaluate("[...document.querySelectorAll('.jp-MarkdownOutput')]"
                                  ".map(e => e.innerText).join('\\n')")
            assert typeset >= 3 and errors == 0, (typeset, errors)
            assert "$" not in prose and "\\frac" not in prose, prose          # no raw LaTeX visible
            assert "softmax" in page.evaluate("document.body.innerHTML")     # the formula is there, typeset

            nav = page.evaluate("[...document.querySelectorAll('nav.bm-nav a')].map(a => a.textContent)")
            assert nav.count("course home") == 2 and any("01_plot" in t for t in nav), nav

            page.goto((pages / "01_plot.html").as_uri())
            page.wait_for_load_state("load")
            sizes = page.evaluate("[...document.querySelectorAll('.jp-OutputArea-output img')]"
                                  ".map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
            assert sizes and all(ok and w > 100 and h > 50 for ok, w, h in sizes), sizes
            note = page.evaluate("[...document.querySelectorAll('.bm-widget')].map(e => e.innerText)")
            assert note and "plain call" in note[0], note
            nav = page.evaluate("[...document.querySelectorAll('nav.bm-nav a')].map(a => a.textContent)")
            assert any("00_math" in t for t in nav), nav

            page.goto((pages / "index.html").as_uri())
            page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0",
                                   timeout=60_000)
            home = page.evaluate("document.body.innerText")
            assert "00 · Math page" in home and "01 · Plot page" in home, home
            assert "you have seen a parabola" in home and "ok" in home, home
            assert "$" not in home, home
            page.screenshot(path=str(pages / "home.png"))
        finally:
            browser.close()
    assert not [u for u in refused if not u.startswith("data:")], refused
