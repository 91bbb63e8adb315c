import os, sys, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope="session")
def root():
    return ROOT

def run(cmd, cwd=ROOT, timeout=900, env=None, check=True):
    "Run a command, returning the CompletedProcess; on failure show its output."
    e = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=e)
    if check and r.returncode:
        raise AssertionError(f"{cmd} exited {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-4000:]}")
    return r
