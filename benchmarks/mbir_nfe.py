"""DiffusionMBIR against its NFE budget, with and without the nonnegativity projection, beside TV-MBIR: at which NFE
does the sample-space method beat TV-MBIR in every plane? All 55 LIDC validation slices at 128², 8 views, seed 0,
the committed slice prior, reconstruct()'s defaults otherwise (eta 0.2, lambda 0.5; 5 CG iterations per step unless
--cg_iters). Rows are merged into results/mbir_nfe.csv by (method, steps, nonneg, CG iterations), so the sweep can be
run in parts.
Usage: python benchmarks/mbir_nfe.py [--steps 50,100,200] [--nonneg 1,0] [--cg_iters 5] [--views 8] [--threads N] [--no_tv]
"""
import argparse
from pathlib import Path
import torch
from diffblend.core import generator, device_name
from diffblend.metrics import plane_metrics, PLANES
from diffblend.ops import VolumeOperator
from diffblend.radon import ParallelGeometry
from diffblend.data import ct_root
from diffblend.recon import reconstruct, merge_csv, experiment_volume
from diffblend.train import prior_tag

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--steps", default="50,100,200"); ap.add_argument("--nonneg", default="1,0")
ap.add_argument("--cg_iters", type=int, default=5); ap.add_argument("--views", type=int, default=8); ap.add_argument("--threads", type=int, default=0)
ap.add_argument("--no_tv", action="store_true", help="skip the TV-MBIR reference row")
a = ap.parse_args()
if a.threads: torch.set_num_threads(a.threads)
if ct_root() is None: ap.error("no CT data found (set DIFFBLEND_CT_ROOT): this study runs on the LIDC validation slices")
vol, note = experiment_volume("", "", 128)    # the LIDC validation slices, as the table uses them
slices = note.rsplit("slices ", 1)[1]          # "220:275 of 275", the table's label
op = VolumeOperator(ParallelGeometry(128, n_views=a.views), depth=vol.shape[0])
y = op(vol.x)
out = Path(__file__).resolve().parents[1] / "results" / "mbir_nfe.csv"
FIELDS = ["method", "steps", "nonneg", "cg_iters", "nfe"] + [f"{p}_{k}" for p in PLANES for k in ("psnr", "ssim")] + ["seconds", "n_views", "slices", "prior", "device", "threads"]
prior = prior_tag("slice128")
runs = ([] if a.no_tv else [("tv", 0, "")]) + [("mbir", int(s), bool(int(n))) for n in a.nonneg.split(",") for s in a.steps.split(",")]
for method, steps, nonneg in runs:
    kw = {} if method == "tv" else {"steps": steps, "nonneg": nonneg, "cg_iters": a.cg_iters, "generator": generator(0)}
    r = reconstruct(y, op, method, progress=True, **kw)
    q = plane_metrics(r.x, vol.x)
    row = {"method": method, "steps": steps or "", "nonneg": nonneg, "cg_iters": "" if method == "tv" else a.cg_iters, "nfe": r.nfe, **{f"{p}_{k}": round(q[p][k], 4) for p in PLANES for k in ("psnr", "ssim")},
           "seconds": round(r.seconds, 1), "n_views": a.views, "slices": slices, "prior": "" if method == "tv" else prior,
           "device": device_name(), "threads": torch.get_num_threads()}
    print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    merge_csv(out, [row], FIELDS, key=lambda r: (r["method"], str(r["steps"]), str(r["nonneg"]), str(r["cg_iters"])))
