"""Is the mean of several short diffusion samples a better use of a fixed NFE budget than one long sample?
Writes results/sample_average.csv (shown in nbs/50_results.ipynb, "The spacing code on a 3 mm volume").

`reconstruct(..., samples=K, steps=S)` averages K samples of S steps each (NFE K x S). On the 16 tuning slices
(LIDC validation 240-255, 8 views, seed 0) each method runs at K x S = 1 x 50, 2 x 25, 4 x 12 (the NFE-50
budget), then 1 x 200 and 4 x 50 (NFE 200). Each row has the PSNR/SSIM of the mean, the PSNR of the first
sample alone (when K > 1 it is a sample of the averaged run), the mean per-voxel standard deviation and, inside
the body, the correlation of that standard deviation with the mean's absolute error (is the spread a map of
where the reconstruction is wrong?). --figure writes results/figures/sample_std.png for the last run with K > 1:
three planes of the truth, the mean, its absolute error and the standard deviation.
Usage: python benchmarks/sample_average.py [--methods blend++,dds] [--plan 1x50,2x25,4x12,1x200,4x50]
                                           [--slices 20:36] [--n_views 8] [--figure] [--threads N]
"""
import argparse, time
from pathlib import Path
import torch
from _sweep import sweep_problem
from diffblend.core import generator
from diffblend.metrics import plane_metrics, PLANES
from diffblend.recon import reconstruct, merge_csv, child_generator

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--methods", default="blend++,dds")
p.add_argument("--plan", default="1x50,2x25,4x12,1x200,4x50", help="comma-separated KxS: K samples of S steps")
p.add_argument("--slices", default="20:36", help="start:stop within the 55 validation slices")
p.add_argument("--n_views", type=int, default=8)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--figure", action="store_true", help="write results/figures/sample_std.png (the last run with K > 1)")
p.add_argument("--csv", default=str(Path(__file__).resolve().parents[1] / "results/sample_average.csv"))
a = p.parse_args()
plan = [tuple(int(v) for v in kxs.split("x")) for kxs in a.plan.split(",")]
vol, op, y, lab = sweep_problem(a.slices, a.n_views, a.threads)
fields = ["method", "samples", "steps", "nfe", "slices", "n_views", *(f"{q}_psnr" for q in PLANES), *(f"{q}_ssim" for q in PLANES),
          "first_axial_psnr", "first_coronal_psnr", "first_sagittal_psnr", "mean_std", "std_err_corr", "seconds"]
rows = []
last = None
for method in a.methods.split(","):
    for k, s in plan:
        t0 = time.time()
        r = reconstruct(y, op, method, steps=s, samples=k, generator=generator(0))
        m = plane_metrics(r.x, vol)
        if k > 1:     # the first of the K samples, run again from its own generator (the rule of `reconstruct`)
            m1 = plane_metrics(reconstruct(y, op, method, steps=s, generator=child_generator(generator(0))).x, vol)
        else:
            m1 = m
        corr = ""
        if r.std is not None:
            body = vol > 0.02
            corr = round(torch.corrcoef(torch.stack([r.std[body], (r.x - vol).abs()[body]]))[0, 1].item(), 4)
            last = (method, k, s, r, corr)
        rows.append(dict(method=method, samples=k, steps=s, nfe=r.nfe, slices=lab, n_views=a.n_views,
                         **{f"{q}_psnr": round(m[q]["psnr"], 3) for q in PLANES}, **{f"{q}_ssim": round(m[q]["ssim"], 4) for q in PLANES},
                         **{f"first_{q}_psnr": round(m1[q]["psnr"], 3) for q in PLANES},
                         mean_std=round(r.std.mean().item(), 5) if r.std is not None else "", std_err_corr=corr, seconds=round(time.time() - t0, 1)))
        print(f"{method:8s} {k} x {s:3d} (NFE {r.nfe:3d}): mean " + " ".join(f"{m[q]['psnr']:.2f}" for q in PLANES)
              + " | first sample " + " ".join(f"{m1[q]['psnr']:.2f}" for q in PLANES) + f"  {time.time() - t0:.0f} s", flush=True)
        merge_csv(a.csv, rows, fields, key=lambda r: (r["method"], str(r["samples"]), str(r["steps"]), r["slices"], str(r["n_views"])))
print("wrote", a.csv)
if a.figure and last is not None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    method, k, s, r, corr = last
    d, h, w = (n // 2 for n in vol.shape)
    cuts = lambda v: (v[d], v[:, h], v[:, :, w])
    err, sd = (r.x - vol).abs(), r.std
    top = float(sd.flatten().kthvalue(int(0.995 * sd.numel())).values)
    fig, axs = plt.subplots(4, 3, figsize=(9, 8.4))
    for j, (name, v, kw) in enumerate((("truth", vol, dict(cmap="gray", vmin=0, vmax=1)), (f"mean of {k} x {s} steps", r.x, dict(cmap="gray", vmin=0, vmax=1)),
                                       ("|error| of the mean", err, dict(cmap="magma", vmin=0, vmax=2 * top)), ("std of the samples", sd, dict(cmap="magma", vmin=0, vmax=top)))):
        for i, (im, plane) in enumerate(zip(cuts(v), ("axial", "coronal", "sagittal"))):
            axs[j, i].imshow(im.cpu(), aspect="auto" if i else 1.0, **kw); axs[j, i].set_xticks([]); axs[j, i].set_yticks([])
            if j == 0: axs[j, i].set_title(plane)
        axs[j, 0].set_ylabel(name, fontsize=9)
    fig.suptitle(f"{method}, {k} samples of {s} steps, LIDC {lab}, {a.n_views} views (z stretched in coronal and sagittal):\n"
                 f"correlation of the std with the |error| inside the body {corr}", fontsize=10)
    plt.tight_layout()
    f = Path(a.csv).parent / "figures/sample_std.png"; fig.savefig(f, dpi=80); print("wrote", f)
