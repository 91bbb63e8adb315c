"Importing the public API in a fresh process catches exported code that reads notebook globals."
import sys
from conftest import run, ROOT

def modules():
    return sorted(p.stem for p in (ROOT / "diffblend").glob("*.py") if not p.stem.startswith("_"))

def test_import_every_module_in_a_fresh_process():
    mods = modules()
    assert {"core", "data", "radon", "fbp", "ops", "mbir", "metrics", "diffusion", "unet", "train", "recon"} <= set(mods)
    code = "import importlib\n" + "\n".join(
        f"m = importlib.import_module('diffblend.{m}')\nfor n in getattr(m, '__all__', []): getattr(m, n)" for m in mods)
    run([sys.executable, "-c", code], cwd="/")

def test_package_version_and_import():
    r = run([sys.executable, "-c", "import diffblend; print(diffblend.__version__)"], cwd="/")
    assert r.stdout.strip().count(".") == 2
