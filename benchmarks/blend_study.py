"""Why does the 3-slice prior, a better one-step denoiser than the slice prior, give worse reconstructions?
Writes results/blend_study.csv (shown in nbs/50_results.ipynb, "Why the 3-slice prior trails DDS").

Every run uses the same data consistency as DDS (Tweedie -> one ADMM-TV_z iteration with CG, lambda 0.5,
5 CG iterations, DDS's eta 0.2), the same seed and steps; only the prior and its partitions change:
  trajectory  PSNR of the prior's Tweedie estimate and of the data-consistent estimate x0 at every reverse
              step, for the slice prior (= DDS), the 3-slice prior with random / fixed / centred partitions,
              both priors with DDIM's noise re-derived from the data-consistent x0 instead of taken from the
              prior, and the two priors swapped at t = 100 and 500;
  onestep     one Tweedie step of each prior from five kinds of state at the same t: the truth plus fresh
              noise, DDS's result plus fresh noise, the DDS sampler's own state, that state's estimate x0
              (the previous step's) plus fresh noise, and the DiffusionBlend sampler's own state (each
              sampler's state carries its own prior's noise estimate back, so each prior is scored on both).
  selfconsistency  on the deterministic sampler (eta 0), the PSNR between each step's prior estimate and the
              previous step's estimate, for the slice prior and the 3-slice prior, with and without DDS's data
              consistency: how well each prior retraces its own trajectory.
Usage: python benchmarks/blend_study.py [--slices 20:36] [--n_views 8] [--steps 50] [--eta 0.2] [--lam 0.5]
                                       [--switch 100,500] [--self_only] [--threads N]
"""
import argparse, time
from pathlib import Path
import torch
from _sweep import sweep_problem
from diffblend.core import generator, x_to_net, net_to_x
from diffblend.metrics import plane_metrics, psnr, PLANES
from diffblend.recon import default_prior, merge_csv
from diffblend.blend import blend
from diffblend.partitions import adjacent, centred
from diffblend.diffusion import vp_schedule, ddim
from diffblend.guidance import slice_denoiser, dds

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--slices", default="20:36", help="start:stop within the 55 validation slices")
p.add_argument("--n_views", type=int, default=8)
p.add_argument("--steps", type=int, default=50)
p.add_argument("--eta", type=float, default=0.2)
p.add_argument("--lam", type=float, default=0.5)
p.add_argument("--switch", default="100,500", help="values of t at or below which the swapped runs change prior")
p.add_argument("--threads", type=int, default=0)
p.add_argument("--self_only", action="store_true", help="run the self-consistency study only (the others' rows are kept)")
a = p.parse_args()
vol, op, y, slices = sweep_problem(a.slices, a.n_views, a.threads)
sched = vp_schedule()
net1, net3 = default_prior("slice128"), default_prior("blend128")
out = Path(__file__).resolve().parents[1] / "results" / "blend_study.csv"
FIELDS = ["study", "run", "t", "step", "volume_psnr", "prior_psnr"] + [f"{q}_psnr" for q in PLANES] + ["slices", "n_views", "steps", "eta", "lambda", "seconds"]
common = dict(slices=slices, n_views=a.n_views, steps=a.steps, eta=a.eta, **{"lambda": a.lam})
vpsnr = lambda x0: round(float(psnr(net_to_x(x0).clamp(0, 1), vol)), 3)

def three(sch, seed=1):
    return blend(net3, sched, sch, generator(seed))

def swap(hi, lo, t0):
    "The denoiser `hi` above t0 and `lo` at or below it."
    return lambda x, t: lo(x, t) if int(t) <= t0 else hi(x, t)

def recorded(den, log):
    "`den`, keeping (t, its Tweedie estimate before data consistency) at every call."
    def D(x, t):
        x0, eps = den(x, t); log.append((int(t), x0)); return x0, eps
    return D

REDERIVED = ", noise re-derived from the data-consistent estimate"

def sample(den, callback=None, rederive=False):
    "DDS's sampler around `den`; with `rederive`, DDIM's noise comes from x_t and the data-consistent x0, not from the prior."
    guided = dds(den, op, y, 5, tv_z=a.lam)
    D = (lambda x, t: guided(x, t)[0]) if rederive else guided   # a bare x0: the sampler derives the noise it implies
    return ddim(D, tuple(vol.shape), sched, a.steps, a.eta, "dds", generator(0), callback=callback)[0]

rows = []
slice_den = slice_denoiser(net1, sched)
if not a.self_only:
    runs = {"slice prior (DDS)": lambda: slice_den,
            "3-slice prior, random offsets (DiffusionBlend)": lambda: three(adjacent(3)),
            "3-slice prior, fixed offsets": lambda: three(adjacent(3, False)),
            "3-slice prior, centred blocks": lambda: three(centred(3))}
    runs["slice prior (DDS)" + REDERIVED] = runs["slice prior (DDS)"]
    runs["3-slice prior, random offsets (DiffusionBlend)" + REDERIVED] = runs["3-slice prior, random offsets (DiffusionBlend)"]
    for t0 in (int(v) for v in a.switch.split(",")):
        runs[f"slice prior, 3-slice prior at t <= {t0}"] = lambda t0=t0: swap(slice_den, three(adjacent(3)), t0)
        runs[f"3-slice prior, slice prior at t <= {t0}"] = lambda t0=t0: swap(three(adjacent(3)), slice_den, t0)
    own = {"slice prior (DDS)": {}, "3-slice prior, random offsets (DiffusionBlend)": {}}   # sampler states kept for the one-step study
    states = own["slice prior (DDS)"]
    for name, make in runs.items():
        trace, raw, t0 = [], [], time.perf_counter()
        def cb(i, t, x, x0):
            trace.append(dict(study="trajectory", run=name, t=t, step=i, volume_psnr=vpsnr(x0), prior_psnr=vpsnr(raw[-1][1]), **common))
            if name in own: own[name][t] = (x.clone(), x0.clone())
        x0 = sample(recorded(make(), raw), cb, rederive=name.endswith(REDERIVED))
        pm = plane_metrics(net_to_x(x0).clamp(0, 1), vol)
        trace[-1].update({f"{q}_psnr": round(pm[q]["psnr"], 3) for q in PLANES}, seconds=round(time.perf_counter() - t0, 1))
        print(name, {k: trace[-1][k] for k in ("volume_psnr", "axial_psnr", "coronal_psnr", "sagittal_psnr", "seconds")}, flush=True)
        rows += trace

    ts = sorted(states)
    final = states[ts[0]][1]                                 # DDS's result (the estimate at the last step)
    priors = {"slice prior": slice_den, "3-slice prior": three(adjacent(3), seed=2)}
    for j in [j for j in (1, 2, 3, 4, 5, 10, 20, 30) if j + 1 < len(ts)]:       # steps of t from the end (t ~ 20 ... 612 at 50 steps)
        t, t_prev = ts[j], ts[j + 1]
        x, x0_prev = states[t][0], states[t_prev][1]
        ab = sched.ab(t, x)
        g = generator(1000 + t)
        fresh = lambda c: ab.sqrt() * c + (1 - ab).sqrt() * torch.randn(c.shape, generator=g)
        sources = {"truth + fresh noise": fresh(x_to_net(vol)), "DDS result + fresh noise": fresh(final),
                   "DDS sampler state": x, "its estimate x0 + fresh noise": fresh(x0_prev),
                   "DiffusionBlend sampler state": own["3-slice prior, random offsets (DiffusionBlend)"][t][0]}
        for src, xs in sources.items():
            for pn, den in priors.items():
                with torch.no_grad():
                    rows.append(dict(study="onestep", run=f"{pn} | {src}", t=t, volume_psnr=vpsnr(den(xs, t)[0]), **common))
        print("onestep t", t, [r["volume_psnr"] for r in rows[-2 * len(sources):]], flush=True)

# self-consistency: on the deterministic ODE (eta 0), how far is each step's prior estimate from the last estimate?
for pn, make in (("slice prior", lambda: slice_den), ("3-slice prior, fixed offsets", lambda: three(adjacent(3, False))),
                 ("3-slice prior, random offsets", lambda: three(adjacent(3)))):
    for with_dc in (False, True):
        log, ests = [], []
        den = recorded(make(), log)
        D = dds(den, op, y, 5, tv_z=a.lam) if with_dc else den
        ddim(D, tuple(vol.shape), sched, a.steps, 0.0, "dds", generator(0), callback=lambda i, t, x, x0: ests.append(x0))
        run = f"{pn} | {'with' if with_dc else 'without'} data consistency"
        for i in range(1, len(ests)):
            d = round(float(psnr(net_to_x(log[i][1]).clamp(0, 1), net_to_x(ests[i - 1]).clamp(0, 1))), 3)
            rows.append(dict(study="selfconsistency", run=run, t=log[i][0], step=i, volume_psnr=d, **{**common, "eta": 0.0}))
        low = [r["volume_psnr"] for r in rows[-(len(ests) - 1):] if r["t"] <= 110]
        print("selfconsistency", run, "mean at t <= 110:", round(sum(low) / len(low), 2), flush=True)
merge_csv(out, rows, FIELDS, key=lambda r: (r["study"], r["run"], str(r["t"]), str(r["slices"]), str(r["steps"]), str(r["eta"]), str(r["lambda"])))
print("wrote", out)
