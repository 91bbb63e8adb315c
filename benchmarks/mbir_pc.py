"""DiffusionMBIR with its paper's predictor-corrector sampler instead of DDIM: does the sampler close its gap to TV-MBIR?

Each step: an ancestral (DDPM) predictor step t -> s with the slice prior, one Langevin corrector step at s
(step size 2 alpha_s (snr ||z|| / ||score||)^2 per slice, alpha_s = 1 - beta_s, the score -eps/sqrt(1 - abar_s)),
then DiffusionMBIR's ADMM-TV_z iteration on the sample (`guidance.mbir_post`, the paper's unconstrained x-update
unless --nonneg 1, which projects it onto attenuation >= 0 as reconstruct()'s `mbir` does since session 20); the result is the Tweedie estimate
at t = 0. The prior's estimate is not clipped to [-1, 1] inside the loop (a score sampler uses the score as it
is). NFE = 2 (steps - 1) + 1. A study prototype, not a `reconstruct()` method: it runs on the 16 tuning slices
(240-255, 8 views) beside the DDIM numbers of results/guidance_tuning.csv. Writes results/mbir_pc.csv.
Usage: python benchmarks/mbir_pc.py [--steps 50,200,500] [--snr 0.16] [--lam 0.5] [--cg_iters 10] [--nonneg 0] [--slices 20:36] [--threads N]
"""
import argparse, time
from pathlib import Path
import torch
from _sweep import sweep_problem
from diffblend.core import generator, net_to_x, randn_like
from diffblend.metrics import plane_metrics, PLANES
from diffblend.guidance import slice_denoiser, mbir_post
from diffblend.diffusion import vp_schedule, timesteps, ddim_sigma, _split
from diffblend.recon import default_prior, merge_csv

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--steps", default="50,200,500"); p.add_argument("--snr", type=float, default=0.16)
p.add_argument("--lam", type=float, default=0.5); p.add_argument("--cg_iters", type=int, default=10)
p.add_argument("--slices", default="20:36"); p.add_argument("--n_views", type=int, default=8)
p.add_argument("--threads", type=int, default=0); p.add_argument("--nonneg", type=int, default=0, choices=(0, 1))
a = p.parse_args()
vol, op, y, slices = sweep_problem(a.slices, a.n_views, a.threads)
sched = vp_schedule()
den = slice_denoiser(default_prior("slice128"), sched, clip=False)
out = Path(__file__).resolve().parents[1] / "results" / "mbir_pc.csv"
FIELDS = ["sampler", "steps", "nfe", "snr", "lambda", "cg_iters", "nonneg", "n_views", "slices"] + [f"{q}_{k}" for q in PLANES for k in ("psnr", "ssim")] + ["seconds"]

def pc_mbir(steps, g):
    "(x0 in [-1, 1], NFE) of DiffusionMBIR with predictor-corrector steps."
    post, ts = mbir_post(op, y, sched, lam=a.lam, cg_iters=a.cg_iters, nonneg=bool(a.nonneg)), timesteps(steps)
    x, nfe = torch.randn(tuple(vol.shape), generator=g), 0
    for t, s in zip(ts[:-1], ts[1:]):
        ab_t, ab_s = sched.ab(t, x), sched.ab(s, x)
        x0, eps = _split(den(x, t), x, ab_t)                                   # predictor: ancestral step t -> s
        sig = ddim_sigma(ab_t, ab_s, 1.0, "ddim")
        x = ab_s.sqrt() * x0 + (1 - ab_s - sig ** 2).clamp_min(0).sqrt() * eps + sig * randn_like(x, g)
        _, eps_s = _split(den(x, s), x, ab_s)                                  # corrector: one Langevin step at s
        score, z = -eps_s / (1 - ab_s).sqrt(), randn_like(x, g)
        alpha = float(ab_s) / float(sched.ab(s - 1, x)) if s > 0 else 1.0
        step = (2 * alpha * (a.snr * z.flatten(1).norm(dim=1) / score.flatten(1).norm(dim=1).clamp_min(1e-12)) ** 2).view(-1, 1, 1)
        x = post(x + step * score + (2 * step).sqrt() * z, s)                 # DiffusionMBIR's ADMM-TV_z on the sample
        nfe += 2
    x0, _ = _split(den(x, ts[-1]), x, sched.ab(ts[-1], x))
    return x0.clamp(-1, 1), nfe + 1

for steps in (int(v) for v in a.steps.split(",")):
    t0 = time.perf_counter()
    x0, nfe = pc_mbir(steps, generator(0))
    pm = plane_metrics(net_to_x(x0).clamp(0, 1), vol)
    row = dict(sampler="predictor-corrector", steps=steps, nfe=nfe, snr=a.snr, **{"lambda": a.lam}, cg_iters=a.cg_iters, nonneg=bool(a.nonneg), n_views=a.n_views,
               slices=slices, **{f"{q}_{k}": round(pm[q][k], 4) for q in PLANES for k in ("psnr", "ssim")}, seconds=round(time.perf_counter() - t0, 1))
    print(row, flush=True)
    merge_csv(out, [row], FIELDS, key=lambda r: tuple(str(r[k]) for k in ("sampler", "steps", "snr", "lambda", "cg_iters", "nonneg", "n_views", "slices")))
