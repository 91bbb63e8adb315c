"Papermill smoke runs of the experiment notebooks, parameter errors before compute, and jupytext pairing."
import json, sys
from pathlib import Path
import pytest
from conftest import run, ROOT

def papermill(nb, out_nb, check=True, **params):
    cmd = [sys.executable, "-m", "papermill", "--no-progress-bar", str(nb), str(out_nb)]
    for k, v in params.items():
        cmd += ["-p", k, str(v)]
    return run(cmd, check=check, timeout=1200)

def test_reconstruct_smoke(tmp_path):
    out = tmp_path / "run"
    papermill(ROOT / "experiments/reconstruct.ipynb", tmp_path / "out.ipynb", resolution=32, slices="0:6",
              methods="fbp,tv,dds2d", steps=2, samples=2, out_dir=out)
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["methods"]) == {"fbp", "tv", "dds2d"}
    for name, r in m["methods"].items():
        for plane in ("axial", "coronal", "sagittal"):
            assert 5 < r[plane]["psnr"] < 80 and 0 < r[plane]["ssim"] <= 1
        diffusion = name == "dds2d"      # samples=2 averages two samples of the diffusion method, the others run once
        assert r["nfe"] == (4 if diffusion else 0) and r["samples"] == (2 if diffusion else 1) and r["seconds"] >= 0 and "volume_psnr" in r
    assert m["params"]["resolution"] == 32 and (out / "fbp.png").exists() and (out / "all_methods.png").exists()
    assert (out / "dds2d_std.png").exists() and not (out / "tv_std.png").exists()
    # a second run into the same folder is refused before any compute: nothing is overwritten
    r = papermill(ROOT / "experiments/reconstruct.ipynb", tmp_path / "out2.ipynb", check=False, resolution=32, slices="0:6", methods="fbp", out_dir=out)
    assert r.returncode != 0 and "already holds a result" in (r.stdout + r.stderr)

@pytest.mark.parametrize("params,message", [
    (dict(methods="fbp,magic"), "methods: unknown ['magic']"),
    (dict(n_views=0), "n_views must be >= 1"),
    (dict(arc_deg=400), "arc_deg must be in (0, 360]"),
    (dict(slices="0:100000"), "outside the volume"),
    (dict(data="/no/such/series"), "data: no such file or folder"),
    (dict(samples=0), "samples must be a whole number >= 1"),
])
def test_bad_parameters_fail_before_compute(tmp_path, params, message):
    out = tmp_path / "run"
    r = papermill(ROOT / "experiments/reconstruct.ipynb", tmp_path / "out.ipynb", check=False,
                  **{"resolution": 32, "out_dir": out, **params})
    assert r.returncode != 0 and message in (r.stdout + r.stderr)
    assert not (out / "metrics.json").exists()

def test_experiments_are_paired_with_percent_scripts():
    import jupytext
    nbs = sorted((ROOT / "experiments").glob("*.ipynb"))
    assert nbs
    for nb in nbs:
        py = nb.with_suffix(".py")
        assert py.exists(), f"{nb.name} has no paired {py.name} (jupytext --set-formats ipynb,py:percent)"
        a = jupytext.read(nb); b = jupytext.read(py)
        src = lambda n: [(c.cell_type, c.source.strip()) for c in n.cells]
        assert src(a) == src(b), f"{nb.name} and {py.name} differ: run jupytext --sync {nb}"
        first = next(c for c in a.cells if c.cell_type == "code")
        assert "parameters" in first.metadata.get("tags", []), f"{nb.name}: the first code cell must be tagged 'parameters'"
        # papermill must see every parameter (it silently skips a line it cannot parse, e.g. one with '=' in its comment,
        # and then warns "Passed unknown parameter" although the value is still injected)
        import papermill, re
        names = set(re.findall(r"^(\w+) *=", first.source, re.M))
        missing = names - set(papermill.inspect_notebook(str(nb)))
        assert not missing, f"{nb.name}: papermill cannot parse the parameter line(s) of {sorted(missing)}"

def test_ablation_smoke(tmp_path):
    from diffblend.data import ct_root
    if ct_root() is None:
        pytest.skip("the ablations need real CT (DIFFBLEND_CT_ROOT)")
    out = tmp_path / "abl"
    papermill(ROOT / "experiments/ablation.ipynb", tmp_path / "abl.ipynb", resolution=32, slices="0:7", steps=2,
              steps_list="1,2", every_list="0,2", out_dir=out)
    import csv
    rows = list(csv.DictReader((out / "ablation.csv").open()))
    assert {r["study"] for r in rows} == {"jump", "steps", "offset", "spacing"} and len(rows) == 2 + 6 + 4 + 2
    assert all(float(r["sagittal_psnr"]) > 5 for r in rows) and (out / "ablation.png").exists()
    from diffblend.train import prior_tag      # every row names the committed prior it ran with (name@sha256[:8] of its weights)
    assert {r["prior"] for r in rows if r["method"] == "dds2d"} == {prior_tag("slice128")}
    assert {r["prior"] for r in rows if r["method"].startswith("blend")} == {prior_tag("blend128")}
    out2 = tmp_path / "abl2"      # several seeds: one row per configuration and seed
    papermill(ROOT / "experiments/ablation.ipynb", tmp_path / "abl2.ipynb", resolution=32, slices="0:7", steps=2, studies="spacing",
              seed="0,1", jump_stride=2, spacing_methods="blend,blend++", spacing_codes="2.5", out_dir=out2)
    rows = list(csv.DictReader((out2 / "ablation.csv").open()))
    assert len(rows) == 12 and sorted(r["seed"] for r in rows) == ["0"] * 6 + ["1"] * 6     # 2 methods x 3 codes x 2 seeds
    assert {r["jump_stride"] for r in rows if r["method"] == "blend++"} == {"2"}     # the jump stride is passed on and recorded
    assert {r["jump_stride"] for r in rows if r["method"] == "blend"} == {""}        # ... and only where there are jumps
    assert {r["label"] for r in rows if r["method"] == "blend"} == {"code 1 mm (physical)", "code 1 mm (training)", "code 2.5 mm (fixed)"}
    by_code = {r["label"]: r["axial_psnr"] for r in rows if r["method"] == "blend" and r["seed"] == "0"}
    assert by_code["code 2.5 mm (fixed)"] != by_code["code 1 mm (training)"]   # the code reaches the network
    by_seed = {r["seed"]: r["axial_psnr"] for r in rows if "training" in r["label"] and r["method"] == "blend++"}
    assert by_seed["0"] != by_seed["1"]                        # another seed, another reconstruction
    r = papermill(ROOT / "experiments/ablation.ipynb", tmp_path / "abl3.ipynb", check=False, seed="0,x", out_dir=tmp_path / "abl3")
    assert r.returncode != 0 and "seed: an integer" in (r.stdout + r.stderr) and not (tmp_path / "abl3" / "ablation.csv").exists()
    r = papermill(ROOT / "experiments/ablation.ipynb", tmp_path / "abl4.ipynb", check=False, jump_stride=1, out_dir=tmp_path / "abl4")
    assert r.returncode != 0 and "jump_stride" in (r.stdout + r.stderr) and not (tmp_path / "abl4" / "ablation.csv").exists()
    for name, bad, word in (("abl5", {"spacing_methods": "dds"}, "spacing_methods"), ("abl6", {"spacing_codes": "2,-1"}, "spacing_codes")):
        r = papermill(ROOT / "experiments/ablation.ipynb", tmp_path / f"{name}.ipynb", check=False, out_dir=tmp_path / name, **bad)
        assert r.returncode != 0 and word in (r.stdout + r.stderr) and not (tmp_path / name / "ablation.csv").exists()

def test_train_prior_smoke(tmp_path):
    ck = tmp_path / "ck"
    papermill(ROOT / "experiments/train_prior.ipynb", tmp_path / "t.ipynb", prior="blend", data="phantom", resolution=32, crop=16,
              batch=2, steps=3, ckpt_every=3, checkpoint=ck, export_to=tmp_path / "prior")
    from diffblend.train import read_config, load_prior
    assert read_config(ck)["step"] == 3 and (ck / "loss.png").exists()
    assert load_prior(tmp_path / "prior").k == 3
    r = papermill(ROOT / "experiments/train_prior.ipynb", tmp_path / "t2.ipynb", check=False, prior="tree", checkpoint=tmp_path / "x")
    assert r.returncode != 0 and "prior must be 'slice' or 'blend'" in (r.stdout + r.stderr)
