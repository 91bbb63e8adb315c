"Build the docs site and open it in headless Chromium: figures, rendered maths, sidebar links."
import re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
import pytest
from conftest import run, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    run([sys.executable, "tools/docs.py"], timeout=900)
    return ROOT / "_site"

def dom(page: Path, tmp) -> str:
    r = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp}", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "<html" in r.stdout, r.stderr[-2000:]
    return r.stdout

class Links(HTMLParser):
    "hrefs of the links inside <nav id='quarto-sidebar'>."
    def __init__(self):
        super().__init__(); self.depth, self.hrefs = 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and (a.get("id") == "quarto-sidebar" or self.depth): self.depth += 1
        elif tag == "a" and self.depth and a.get("href"): self.hrefs.append(a["href"])
    def handle_endtag(self, tag):
        if tag == "nav" and self.depth: self.depth -= 1

@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package 'chromium'); tools/test.sh installs it when run as root")
@pytest.mark.parametrize("page", ["index.html", "02_radon.html", "03_fbp.html"])
def test_page_in_headless_chromium(site, page, tmp_path):
    html = dom(site / page, tmp_path)
    assert 'class="katex"' in html, f"{page}: no maths rendered by KaTeX"
    imgs = re.findall(r'<img[^>]+src="(data:image/png[^"]{200,}|[^"]+\.png)"', html)
    assert imgs, f"{page}: no figure"
    p = Links(); p.feed(html)
    pages = [h for h in p.hrefs if not h.startswith(("http", "#", "mailto"))]
    assert len(pages) >= 10, f"{page}: sidebar has only {pages}"
    for h in pages:
        target = (site / page).parent / h.split("#")[0]
        assert target.exists(), f"{page}: sidebar link {h} does not resolve"
