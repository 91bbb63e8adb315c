"""Where DDS loses the coronal plane to TV-MBIR, and three changes to its data consistency that do not win it back.

Part 1 (--bands): TV, DDS and DiffusionBlend++ (or --methods; each at its default eta) on the LIDC validation slices (8 views, 50 steps); per-slice coronal
PSNR averaged over bands of coronal rows (anterior air, body, posterior), with the air error (RMSE, and the share of
voxels above 0.01) in the top band. Part 2 (--variants): DDS with (a) no data consistency at the last step (the
final estimate is the prior's Tweedie estimate), (b) the data-consistent estimate clipped to [0, 1] every step,
(c) a proximal weight gamma: CG on (A^T A + rho D_z^T D_z + gamma I) x = A^T y + rho D_z^T (z - u) + gamma x0_hat,
which pulls the correction towards the prior's estimate. Writes results/dc_variants.csv.

  python benchmarks/dc_variants.py --slices 220:275 --bands          # ~6 minutes on 2 cores
  python benchmarks/dc_variants.py --slices 220:275 --bands --methods mbir   # variant 'eta 0.2, x>=0' (the rows 'eta 0.2' are the paper's update)
  python benchmarks/dc_variants.py --slices 220:244 --variants       # ~10 minutes
"""
import argparse, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["part", "slices", "method", "variant", "band", "axial_psnr", "axial_ssim", "coronal_psnr", "coronal_ssim",
          "sagittal_psnr", "sagittal_ssim", "air_rmse", "air_frac_above_0.01", "seconds"]
BANDS = ((0, 16), (16, 32), (32, 96), (96, 112), (112, 128))      # coronal rows at 128²: anterior air ... posterior

def dds_variant(den, op, y, cg_iters=5, lam=0.5, skip_last=False, clamp=False, gamma=0.0):
    "DDS (ADMM-TV_z data consistency, as `guidance.dds` with tv_z=lam) with one of the changes above."
    from diffblend.core import net_to_x, x_to_net
    from diffblend.mbir import cg, grad3, grad3_adj, shrink
    state, w, rho = {}, (1.0, 0.0, 0.0), 10 * lam
    def D(x_t, t):
        x0, eps = den(x_t, t)
        if skip_last and t == 0:
            return x0, eps
        xa = net_to_x(x0)
        Aty = state["Aty"] if "Aty" in state else state.setdefault("Aty", op.T(y))
        if "z" not in state:      # z0 = u0 = 0, made once
            state["z"] = torch.zeros((3, *xa.shape), device=xa.device); state["u"] = torch.zeros_like(state["z"])
        z, u = state["z"], state["u"]
        x = cg(lambda v: op.T(op(v)) + rho * grad3_adj(grad3(v, w), w) + gamma * v,
               Aty + rho * grad3_adj(z - u, w) + gamma * xa, xa, cg_iters)
        g = grad3(x, w) + u
        state["z"] = shrink(g, lam / rho); state["u"] = g - state["z"]
        return x_to_net(x.clamp(0, 1) if clamp else x), eps
    return D

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slices", default="220:275"); ap.add_argument("--bands", action="store_true")
    ap.add_argument("--methods", default="tv,dds,blend++", help="the methods of --bands")
    ap.add_argument("--variants", action="store_true"); ap.add_argument("--gammas", default="20,100")
    ap.add_argument("--csv", default=str(ROOT / "results" / "dc_variants.csv"))
    a = ap.parse_args()
    from diffblend.core import generator
    from diffblend.data import load_lidc
    from diffblend.diffusion import vp_schedule
    from diffblend.guidance import slice_denoiser
    from diffblend.metrics import plane_metrics, plane_slices, slice_psnr
    from diffblend.ops import VolumeOperator
    from diffblend.radon import ParallelGeometry
    from diffblend.recon import reconstruct, parse_slices, default_prior, merge_csv, _sample
    full = load_lidc(size=128)
    ref = full.x[parse_slices(a.slices, full.shape[0])].clip(0, 1)
    op = VolumeOperator(ParallelGeometry(128, 8))
    y = op(ref)
    rows = []
    def row(part, method, variant, x, secs, band="all"):
        m = plane_metrics(x, ref)
        air = (x.clip(0, 1) - ref)[:, :16]
        r = {"part": part, "slices": a.slices, "method": method, "variant": variant, "band": band, "seconds": round(secs, 1),
             "air_rmse": round(float(air.pow(2).mean().sqrt()), 5), "air_frac_above_0.01": round(float((x.clip(0, 1)[:, :16] > 0.01).float().mean()), 4),
             **{f"{p}_{k}": round(m[p][k], 4) for p in ("axial", "coronal", "sagittal") for k in ("psnr", "ssim")}}
        print({k: r[k] for k in ("method", "variant", "band", "axial_psnr", "coronal_psnr", "sagittal_psnr", "air_rmse")}, flush=True)
        rows.append(r)
        if band == "all" and part == "bands":        # mean per-slice coronal PSNR over bands of coronal rows
            ps = slice_psnr(plane_slices(x.clip(0, 1), "coronal"), plane_slices(ref, "coronal"))
            for lo, hi in BANDS:
                rows.append({"part": part, "slices": a.slices, "method": method, "variant": variant, "band": f"{lo}:{hi}",
                             "coronal_psnr": round(float(ps[lo:hi].nanmean()), 3)})
    if a.bands:
        for m in a.methods.split(","):
            r = reconstruct(y, op, m, steps=50, generator=generator(0))          # each method's default eta (40_recon)
            label = "committed" if m == "tv" else f"eta {r.info['eta']}" + (", x>=0" if r.info.get("nonneg") else "")
            row("bands", m, label, r.x, r.seconds)
    if a.variants:
        den = slice_denoiser(default_prior("slice128"), vp_schedule())
        r = reconstruct(y, op, "tv"); row("variants", "tv", "committed", r.x, r.seconds)
        cases = [("dds", {}), ("no DC at the last step", {"skip_last": True}), ("clip to [0, 1] after DC", {"clamp": True}),
                 ("both", {"skip_last": True, "clamp": True})] + [(f"proximal gamma {g}", {"gamma": float(g)}) for g in a.gammas.split(",")]
        for name, kw in cases:
            t0 = time.perf_counter()
            out = _sample(dds_variant(den, op, y, **kw), tuple(ref.shape), 50, 0.85, "dds", generator(0), False)
            row("variants", "dds", name, out.x, time.perf_counter() - t0)
    merge_csv(Path(a.csv), rows, FIELDS, key=lambda r: (r["part"], r["slices"], r["method"], r["variant"], r["band"]))

if __name__ == "__main__":
    main()
