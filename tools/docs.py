"""Build the docs site from the top-level _quarto.yml: nbdev's notebook processing, then Quarto or smalldocs.

1. nbs/_quarto.yml is generated from the top-level _quarto.yml (the one source of truth; not tracked).
2. nbdev's `proc_nbs` turns the notebooks into pages in _proc/ (API docs for exported functions, directives
   removed). We call it directly: `nbdev_proc_nbs` would try to install Quarto with sudo.
3. `quarto render _proc` when Quarto is installed, else `smalldocs render _proc` (pure Python, offline).
4. The site lands in _site/. KaTeX is taken from the npm package (when npm is available) into the site, so
   maths renders offline.
"""
import os, re, shutil, subprocess, sys, tarfile, tempfile
from pathlib import Path

root = Path(__file__).resolve().parents[1]
KATEX_VERSION = "0.16.11"
CDN = f"https://cdn.jsdelivr.net/npm/katex@{KATEX_VERSION}/dist"

def vendor_katex(site: Path) -> bool:
    "Put KaTeX's dist into site/site_libs/katex from the npm registry (cached); False when npm is missing."
    cache = Path(os.environ.get("DIFFBLEND_CACHE", Path.home() / ".cache" / "diffblend")) / f"katex-{KATEX_VERSION}"
    if not (cache / "katex.min.js").exists():
        if not shutil.which("npm"):
            return False
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run(["npm", "pack", f"katex@{KATEX_VERSION}", "--silent"], cwd=tmp, capture_output=True, text=True)
            tgz = list(Path(tmp).glob("katex-*.tgz"))
            if r.returncode or not tgz:
                print("npm could not fetch KaTeX; pages will load it from its CDN:", r.stderr.strip()[:200])
                return False
            with tarfile.open(tgz[0]) as t:
                t.extractall(tmp, filter="data")
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(Path(tmp) / "package" / "dist", cache)
    shutil.copytree(cache, site / "site_libs" / "katex", dirs_exist_ok=True)
    for page in site.rglob("*.html"):
        rel = os.path.relpath(site / "site_libs" / "katex", page.parent)
        text = page.read_text()
        if CDN in text:
            page.write_text(text.replace(CDN, rel))
    return True

def main():
    os.chdir(root)
    shutil.copy(root / "_quarto.yml", root / "nbs" / "_quarto.yml")
    from nbdev.serve import proc_nbs
    proc = proc_nbs(path="nbs", force=True, n_workers=1)
    for extra in ("styles.css",):
        if (root / "nbs" / extra).exists():
            shutil.copy(root / "nbs" / extra, proc / extra)
    site = root / "_site"
    shutil.rmtree(site, ignore_errors=True)
    if shutil.which("quarto"):
        subprocess.run(["quarto", "render", str(proc)], check=True)
    else:
        subprocess.run(["smalldocs", "render", "--quiet", str(proc)], check=True)
    shutil.move(str(proc / "_site"), str(site))
    print("site:", site, "| KaTeX offline:", vendor_katex(site))

if __name__ == "__main__":
    main()
