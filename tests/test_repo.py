"On a copy of the committed tree: nbdev_export and nbdev_clean change nothing, and README.md is current."
import shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import run, ROOT

@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dst = tmp_path_factory.mktemp("repo")
    files = run(["git", "ls-files", "-z"]).stdout.split("\0")
    for f in filter(None, files):
        if (ROOT / f).is_file():
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dst / f)
    run(["git", "init", "-q"], cwd=dst)
    run(["git", "add", "-A"], cwd=dst)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"], cwd=dst)
    return dst

def test_nbdev_export_and_clean_leave_git_clean(copy):
    bindir = Path(sys.executable).parent
    run([str(bindir / "nbdev_export")], cwd=copy)
    run([str(bindir / "nbdev_clean")], cwd=copy)
    status = run(["git", "status", "--porcelain"], cwd=copy).stdout
    assert status == "", f"nbdev_export/nbdev_clean changed files; run them and commit:\n{status}"

def test_readme_is_generated_from_index(copy):
    run([sys.executable, "tools/readme.py", "--check"], cwd=copy)
