"""Execute notebooks in full (not under IN_TEST) and save their outputs, so the docs show the figures.

Usage: python tools/run_nbs.py nbs/02_radon.ipynb [more notebooks...]   (cwd of each run: its folder)
"""
import os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

os.environ.pop("IN_TEST", None)
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

for p in map(Path, sys.argv[1:]):
    t0 = time.time()
    nb = read_nb(p)
    here = Path.cwd()
    os.chdir(p.parent)
    try:
        sh = CaptureShell()
        sh.run_all(nb, exc_stop=True)
    finally:
        os.chdir(here)
    write_nb(nb, p)
    print(f"{p}: executed in {time.time() - t0:.0f} s", flush=True)
