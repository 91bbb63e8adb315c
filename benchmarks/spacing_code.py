"""Why does DiffusionBlend++ do slightly better on the 3 mm TotalSegmentator volume when told the wrong slice spacing?
Writes results/spacing_code.csv (shown in nbs/50_results.ipynb, "The spacing code on a 3 mm volume").

Two readings of #6's spacing result (the code fixed to the training data's 1 mm beats the physical 3 mm by about
0.15 dB at 8 views):
  statistics   the 3 mm volume's neighbouring slices resemble LIDC's thin slices 1 mm apart more than LIDC's thin
               slices 3 mm apart (e.g. because a resampled 3 mm volume is smoothed along z), so 1 mm is the better
               description of the data;
  smoothing    3 mm is the right description, and the 1 mm code wins by telling the prior that neighbours are
               nearly equal, which smooths along z; at few views smoothing pays in PSNR.
The first part measures neighbour statistics (RMS difference of slices s apart, relative to the in-plane
neighbour difference at a similar distance) on the LIDC training volume and the TotalSegmentator volume. The
second runs DiffusionBlend++ with both codes at several numbers of views: the smoothing reading predicts that the
1 mm code's lead shrinks as the views increase, and that its reconstructions vary less along z than the truth.
Each run records per-plane PSNR/SSIM and, along z, the ratio of the reconstruction's RMS slice-to-slice difference
to the truth's and the correlation of the two (inside the body).
With --samples K each arm is `reconstruct(..., samples=K)`: scored on the mean of K samples (a Monte Carlo estimate of the
posterior mean, which a sampler with the right prior should make better than one with a wrong prior); the rows
then say samples=K, and the single-seed rows are kept.
Usage: python benchmarks/spacing_code.py [--views 4,8,16,32] [--steps 50] [--stride 3] [--seed 0] [--samples 1]
                                         [--threads N]
"""
import argparse, time
from pathlib import Path
import torch
from diffblend.core import generator
from diffblend.data import load_ct, load_lidc, ct_root, TOTALSEG
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator
from diffblend.metrics import plane_metrics, PLANES
from diffblend.recon import reconstruct, merge_csv
from diffblend.train import prior_tag

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--views", default="4,8,16,32")
p.add_argument("--steps", type=int, default=50)
p.add_argument("--stride", type=int, default=3)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--samples", type=int, default=1, help="samples per arm (reconstruct's samples=), averaged into one volume before scoring")
p.add_argument("--threads", type=int, default=0)
p.add_argument("--csv", default=str(Path(__file__).resolve().parents[1] / "results/spacing_code.csv"))
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)
if ct_root() is None:
    raise SystemExit("no CT found: set DIFFBLEND_CT_ROOT (the study needs the LIDC and TotalSegmentator volumes)")

def diff(x, dim, s=1):
    "Neighbour differences s apart along `dim` and the mask of pairs where either voxel is inside the body (> 0.02)."
    u, v = x.narrow(dim, 0, x.shape[dim] - s), x.narrow(dim, s, x.shape[dim] - s)
    return v - u, (u > 0.02) | (v > 0.02)

def rms(d, m): return d[m].pow(2).mean().sqrt().item()

fields = ["study", "data", "n_views", "code", "spacing_mm", "stride", "value", "in_plane", "ratio", "axial_psnr", "coronal_psnr",
          "sagittal_psnr", "axial_ssim", "coronal_ssim", "sagittal_ssim", "volume_psnr", "z_rms_ratio", "z_corr", "nfe", "seconds", "seed", "samples",
          "prior"]
PRIOR = prior_tag("blend128")     # reconstruction rows name the weights they ran with; rows of other weights are kept
lidc = load_lidc("train", 128)
ts = load_ct(ct_root() / TOTALSEG, 128)
rows = []
for name, v in (("lidc train (1 mm)", lidc), ("totalseg (3 mm)", ts)):
    x = v.x.float()
    inplane = rms(*diff(x, 2))                   # in-plane neighbours one pixel apart (3.1 and 2.9 mm)
    for s in ((1, 2, 3, 4, 6, 9) if v is lidc else (1, 2, 3)):
        z = rms(*diff(x, 0, s))
        rows.append(dict(study="statistics", data=name, spacing_mm=round(s * v.spacing[0], 2), stride=s, value=round(z, 5),
                         in_plane=round(inplane, 5), ratio=round(z / inplane, 4)))
        print(f"{name:18s} slices {s * v.spacing[0]:4.1f} mm apart: RMS difference {z:.4f}, {z / inplane:.3f} of the in-plane one")

truth = ts.x.float()
dz_t, mz = diff(truth, 0)
for n in (int(s) for s in a.views.split(",")):
    op = VolumeOperator(ParallelGeometry(128, n), depth=truth.shape[0])
    y = op(truth)
    for code, sp in (("physical", ts.spacing[0]), ("training", 1.0)):
        t0 = time.time()
        r = reconstruct(y, op, "blend++", steps=a.steps, stride=a.stride, spacing_mm=sp, generator=generator(a.seed),
                        samples=a.samples, progress=True)
        x = r.x.float()
        m = plane_metrics(x, truth)
        dz = diff(x.clip(0, 1), 0)[0]
        zr = rms(dz, mz) / rms(dz_t, mz)
        zc = torch.corrcoef(torch.stack([dz[mz], dz_t[mz]]))[0, 1].item()
        rows.append(dict(study="reconstruction", data="totalseg (3 mm)", n_views=n, code=code, spacing_mm=sp, stride=a.stride,
                         **{f"{q}_psnr": round(m[q]["psnr"], 3) for q in PLANES}, **{f"{q}_ssim": round(m[q]["ssim"], 4) for q in PLANES},
                         volume_psnr=round(m["volume_psnr"], 3), z_rms_ratio=round(zr, 4), z_corr=round(zc, 4), nfe=r.nfe,
                         seconds=round(time.time() - t0, 1), seed=a.seed, samples=a.samples, prior=PRIOR))
        print(f"{n:2d} views, code {code:8s} ({sp:g} mm), {a.samples} sample(s): " + " ".join(f"{m[q]['psnr']:.2f}" for q in PLANES)
              + f"  z RMS ratio {zr:.3f}  z corr {zc:.3f}  {time.time() - t0:.0f} s", flush=True)
        merge_csv(a.csv, rows, fields, key=lambda r: tuple(str(r.get(k, "")) for k in ("study", "data", "n_views", "code", "stride", "seed",
                                                                                           "spacing_mm", "samples", "prior")))
print("wrote", a.csv)
