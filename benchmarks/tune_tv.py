"""Tune the TV-MBIR weight per scan setting on the LIDC validation slices at 128²; writes results/tv_tuning.csv.

Sparse view (8, 6, 4 views) uses all 55 validation slices; the 90° arc (90 views, 11x the cost per
operator application) uses slices 16-47 of them. 30 ADMM iterations of 10 CG steps, rho = 10 lambda.
Usage: python benchmarks/tune_tv.py [--threads N]
"""
import argparse, csv, time
from pathlib import Path
import torch
from diffblend.core import psnr
from diffblend.data import load_lidc
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator
from diffblend.mbir import tv_mbir, TV_ITERS

p = argparse.ArgumentParser(); p.add_argument("--threads", type=int, default=0)
p.add_argument("--settings", default="8,6,4,arc90", help="which settings to run (comma-separated)")
p.add_argument("--lams", default="", help="override the lambda grid (comma-separated); rows are merged into the CSV")
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)
val = load_lidc("val", 128).x
grid = [("8", ParallelGeometry(128, 8), slice(None), [0.2, 0.5, 1.0, 2.0]),
        ("6", ParallelGeometry(128, 6), slice(None), [0.2, 0.5, 1.0, 2.0]),
        ("4", ParallelGeometry(128, 4), slice(None), [0.2, 0.5, 1.0, 2.0]),
        ("arc90", ParallelGeometry(128, 90, arc_deg=90), slice(16, 48), [0.1, 0.5, 2.0])]
out = Path(__file__).resolve().parents[1] / "results" / "tv_tuning.csv"
out.parent.mkdir(exist_ok=True)
rows = list(csv.DictReader(out.open())) if out.exists() else []
for name, geom, sl, lams in grid:
    if name not in a.settings.split(","): continue
    lams = [float(v) for v in a.lams.split(",")] if a.lams else lams
    vol = val[sl]
    op = VolumeOperator(geom, depth=vol.shape[0], threads=a.threads or None)
    y = op(vol)
    for lam in lams:
        t0 = time.perf_counter()
        x = tv_mbir(op, y, lam=lam, iters=TV_ITERS)
        rows = [r for r in rows if not (r["setting"] == name and float(r["lambda"]) == lam)]
        rows.append(dict(setting=name, n_views=geom.n_views, arc_deg=geom.arc_deg, slices=f"{220 + (sl.start or 0)}:{220 + (sl.stop or 55)}",
                         **{"lambda": lam}, volume_psnr=round(psnr(x, vol), 3), seconds=round(time.perf_counter() - t0, 1)))
        print(rows[-1], flush=True)
        with out.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
