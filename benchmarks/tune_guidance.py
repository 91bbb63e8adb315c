"""Tune the z-TV weight lambda of DDS (ADMM-TV_z inside the data consistency) and DiffusionMBIR (ADMM-TV_z
after each step), and the sampler's eta (DDS convention) and CG iterations per step, on LIDC validation slices,
beside TV-MBIR on the same slices; writes results/guidance_tuning.csv.

A sub-volume keeps the sweep affordable on 2 cores (default: 16 of the 55 validation slices, 8 views, 50 steps,
the committed slice prior, seed 0). Per-plane PSNR/SSIM as in the results table.
Usage: python benchmarks/tune_guidance.py [--methods dds,mbir] [--lams 0.5,2,5] [--rhos ""] [--etas 0.85] [--cg_iters 5]
                                          [--slices 20:36] [--steps 50] [--threads N]
Every combination of lambda, rho, eta and CG iterations is run for each method. rho is the ADMM penalty; left out
(the default, an empty rho column in the CSV) it is 10 lambda.
"""
import argparse
from pathlib import Path
import torch
from _sweep import sweep_problem
from diffblend.core import generator
from diffblend.metrics import plane_metrics, PLANES
from diffblend.recon import reconstruct, merge_csv

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--methods", default="dds,mbir")
p.add_argument("--lams", default="0.5,2,5")
p.add_argument("--rhos", default="", help="ADMM penalties rho (empty: 10 lambda)")
p.add_argument("--etas", default="0.85", help="DDIM eta in DDS's convention (0: deterministic)")
p.add_argument("--cg_iters", default="5", help="CG iterations of data consistency per step")
p.add_argument("--slices", default="20:36", help="start:stop within the 55 validation slices")
p.add_argument("--n_views", type=int, default=8)
p.add_argument("--steps", type=int, default=50)
p.add_argument("--threads", type=int, default=0)
a = p.parse_args()
vol, op, y, slices = sweep_problem(a.slices, a.n_views, a.threads)
out = Path(__file__).resolve().parents[1] / "results" / "guidance_tuning.csv"
FIELDS = ["method", "lambda", "rho", "eta", "cg_iters", "n_views", "slices", "steps"] + [f"{q}_{k}" for q in PLANES for k in ("psnr", "ssim")] + ["volume_psnr", "nfe", "seconds"]
rhos = [float(v) for v in a.rhos.split(",")] if a.rhos else [None]
runs = [("tv", None, None, None, None)] + [(m, float(l), r, float(e), int(c)) for m in a.methods.split(",") for l in a.lams.split(",")
                                           for r in rhos for e in a.etas.split(",") for c in a.cg_iters.split(",")]
for m, lam, rho, eta, cg_iters in runs:
    r = reconstruct(y, op, m, steps=a.steps, generator=generator(0), **({} if lam is None else {"lam": lam, "rho": rho, "eta": eta, "cg_iters": cg_iters}))
    pm = plane_metrics(r.x, vol)
    row = dict(method=m, **{"lambda": "tuned" if lam is None else lam}, rho="" if rho is None else rho, eta="" if eta is None else eta,
               cg_iters="" if cg_iters is None else cg_iters, n_views=a.n_views, slices=slices, steps=a.steps,
               **{f"{q}_{k}": round(pm[q][k], 4) for q in PLANES for k in ("psnr", "ssim")},
               volume_psnr=round(pm["volume_psnr"], 3), nfe=r.nfe, seconds=round(r.seconds, 1))
    print(row, flush=True)
    merge_csv(out, [row], FIELDS, key=lambda r: tuple(str(r.get(k, "")) for k in ("method", "lambda", "rho", "eta", "cg_iters", "n_views", "slices", "steps")))
