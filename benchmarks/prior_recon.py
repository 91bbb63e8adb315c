"""Compare priors where they matter: reconstructions (128², 8 views, 50 steps, seed 0) of the LIDC validation slices or
of the TotalSegmentator volume (another patient at 3 mm), per-plane PSNR, for each slice-prior method with each slice
prior and each blended method with each blend prior.
Usage: python benchmarks/prior_recon.py --slice diffblend/priors/slice128 [more] --blend diffblend/priors/blend128 [more]
       [--methods dds,blend++] [--data lidc|totalseg] [--slices 20:36] [--views 8] [--arc 180] [--steps 50] [--eta E] [--cg 5] [--spacing-mm S] [--samples K] [--seeds 0,1,2]
       [--csv results/prior_recon.csv [--append]]
--slices start:stop takes a run of the 55 LIDC validation slices (e.g. 20:36, the tuning slices 240-255) instead of all of them.
The committed table (results/table.csv) uses the default priors; this script is for candidates before they replace them.
"""
import argparse, csv
from pathlib import Path
from diffblend.core import generator, device_name
from diffblend.diffusion import vp_schedule
from diffblend.data import load_lidc, load_ct, ct_root, TOTALSEG
from diffblend.metrics import plane_metrics, PLANES
from diffblend.ops import VolumeOperator
from diffblend.radon import ParallelGeometry
from diffblend.recon import reconstruct, parse_slices

SLICE_METHODS, BLEND_METHODS = {"dds2d", "dds", "mbir", "dps"}, {"blend", "blend++"}

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--slice", nargs="*", default=["diffblend/priors/slice128"])
ap.add_argument("--blend", nargs="*", default=["diffblend/priors/blend128"])
ap.add_argument("--methods", default="dds,blend++")
ap.add_argument("--views", type=int, default=8)
ap.add_argument("--arc", type=float, default=180.0, help="scan arc in degrees (90: the limited-angle setting)")
ap.add_argument("--data", default="lidc", choices=("lidc", "totalseg"))
ap.add_argument("--slices", default="", help="lidc: start:stop within the 55 validation slices (default: all)")
ap.add_argument("--steps", type=int, default=50)
ap.add_argument("--seeds", default="0", help="comma-separated seeds; one run per seed")
ap.add_argument("--eta", type=float, default=None, help="DDIM eta in DDS's convention (default: each method's own)")
ap.add_argument("--spacing-mm", type=float, default=None, help="slice spacing code for the blended methods (default: the volume's physical spacing)")
ap.add_argument("--samples", type=int, default=1, help="average this many samples per run (NFE = samples x steps)")
ap.add_argument("--cg", type=int, default=5, help="CG iterations of data consistency per step")
ap.add_argument("--csv", default="")
ap.add_argument("--append", action="store_true", help="add the rows to an existing --csv (same columns) instead of replacing it")
a = ap.parse_args()
methods = a.methods.split(",")
if set(methods) - SLICE_METHODS - BLEND_METHODS:
    ap.error(f"methods must be among {sorted(SLICE_METHODS | BLEND_METHODS)}")
T = vp_schedule().T
if not 1 <= a.steps <= T:       # checked here, before the data load, as well as in `ddim`
    ap.error(f"--steps must be in [1, {T}] (one DDIM pass visits each timestep at most once); spend more NFE with --samples")
if a.samples < 1 or a.cg < 1:
    ap.error("--samples and --cg must be >= 1")
if a.slices and a.data != "lidc":
    ap.error("--slices selects LIDC validation slices; the totalseg volume is used whole")
if a.data == "lidc":
    vol = load_lidc("val", 128)
    vol = vol[parse_slices(a.slices, vol.shape[0])]
elif ct_root() is None:
    ap.error("totalseg: no CT data found (set DIFFBLEND_CT_ROOT)")
else:
    vol = load_ct(ct_root() / TOTALSEG, 128)
op = VolumeOperator(ParallelGeometry(128, n_views=a.views, arc_deg=a.arc), depth=vol.shape[0])
y = op(vol.x)
rows = []
for m in methods:
    for prior, seed in [(p, int(sd)) for p in (a.slice if m in SLICE_METHODS else a.blend) for sd in a.seeds.split(",")]:
        r = reconstruct(y, op, m, samples=a.samples, prior=prior, steps=a.steps, eta=a.eta, cg_iters=a.cg, generator=generator(seed), spacing_mm=vol.spacing[0] if a.spacing_mm is None else a.spacing_mm)
        q = plane_metrics(r.x, vol.x)
        rows.append({"method": m, "prior": prior, **{f"{p}_psnr": round(q[p]["psnr"], 3) for p in PLANES},
                     **{f"{p}_ssim": round(q[p]["ssim"], 4) for p in PLANES}, "nfe": r.nfe, "seed": seed, "seconds": round(r.seconds, 1),
                     "data": a.data, "slices": a.slices or "all", "n_views": a.views, "steps": a.steps, "eta": r.info["eta"], "arc_deg": a.arc, "device": device_name(), "cg_iters": a.cg,
                     "spacing_mm": r.info.get("spacing_mm", ""), "samples": a.samples})
        print(f"{m:8s} {prior:40s} seed {seed} " + "  ".join(f"{p[:3]} {rows[-1][p + '_psnr']:.2f}" for p in PLANES)
              + f"  nfe {r.nfe}  {r.seconds:.0f} s", flush=True)
if a.csv:
    Path(a.csv).parent.mkdir(parents=True, exist_ok=True)
    add = a.append and Path(a.csv).exists()
    if add:
        with open(a.csv, newline="") as f: header = next(csv.reader(f))
    if add and header != list(rows[0]):
        raise SystemExit(f"--append: {a.csv} has other columns than these rows; write to a new file")
    with open(a.csv, "a" if add else "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        if not add: w.writeheader()
        w.writerows(rows)
