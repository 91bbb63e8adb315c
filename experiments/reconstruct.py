# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reconstruct a CT volume from a sparse or limited-angle scan
#
# Simulates a parallel-beam scan of a volume (`n_views` views over `arc_deg` degrees), reconstructs it with
# every method in `methods`, and writes `metrics.json` (per-plane PSNR/SSIM, volume PSNR, NFE, seconds)
# and three-plane figures into `out_dir`. Run it with papermill, e.g.
# `papermill experiments/reconstruct.ipynb out.ipynb -p n_views 6 -p methods fbp,tv`.

# %% tags=["parameters"]
data = ""              # DICOM series folder, NIfTI or NPZ; empty: LIDC validation slices if present, else the phantom
slices = ""            # "start:stop" axial slices; empty: all (LIDC default 220:275)
resolution = 128       # in-plane size
n_views = 8            # number of projection views
arc_deg = 180.0        # scan arc in degrees (90: the limited-angle setting)
methods = "fbp,tv,dds2d,blend,blend++"  # comma-separated method names (see diffblend.recon.METHODS)
steps = 50             # diffusion steps (NFE budget)
seed = 0               # random seed for the diffusion samplers
samples = 1            # diffusion samples averaged per method (NFE: samples x steps); above 1 also a std figure
out_dir = "runs/latest"  # where metrics.json and the figures go
noise_I0 = 0.0         # incident photons per detector cell; 0: noise-free measurements

# %%
from pathlib import Path
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from diffblend.core import generator, device_name
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator, add_noise
from diffblend.metrics import plane_metrics, three_plane_figure
from diffblend.recon import reconstruct, check_params, experiment_volume, write_json_atomic, ETA

# every parameter is checked before any compute
names = check_params(methods, n_views, arc_deg, resolution, steps, data)
if not str(samples).isdigit() or int(samples) < 1:
    raise ValueError(f"samples must be a whole number >= 1, got {samples!r}")
out = Path(out_dir)
if (out / "metrics.json").exists():
    raise ValueError(f"out_dir: {out} already holds a result (metrics.json); choose a new out_dir so nothing is overwritten")
out.mkdir(parents=True, exist_ok=True)
params = dict(data=data, slices=slices, resolution=resolution, n_views=n_views, arc_deg=arc_deg, methods=methods,
              steps=steps, seed=seed, samples=samples, out_dir=str(out_dir), noise_I0=noise_I0)

# %%
vol, note = experiment_volume(data, slices, resolution)
print(vol); print(note)
geom = ParallelGeometry(resolution, n_views=int(n_views), arc_deg=float(arc_deg))
op = VolumeOperator(geom, depth=vol.shape[0])
y = op(vol.x)
if noise_I0:
    y = add_noise(y, I0=noise_I0, pixel_mm=vol.spacing[1], generator=generator(seed + 1))
print(f"{geom.n_views} views over {geom.arc_deg:g} deg, sinograms {tuple(y.shape)}")

# %%
results, recs, stds = {}, {}, {}
for name in names:
    k = int(samples) if name in ETA else 1       # the classical methods are deterministic: one run
    r = reconstruct(y, op, name, steps=int(steps), generator=generator(seed), spacing_mm=vol.spacing[0], samples=k, progress=True)
    m = plane_metrics(r.x, vol.x)
    results[name] = {**{p: m[p] for p in ("axial", "coronal", "sagittal")}, "volume_psnr": m["volume_psnr"],
                     "nfe": r.nfe, "eta": r.info.get("eta"), "samples": k, "seconds": round(r.seconds, 2)}
    recs[name] = r.x
    if r.std is not None: stds[name] = r.std
    print(f"{name:8s} " + "  ".join(f"{p} {m[p]['psnr']:.2f} dB/{m[p]['ssim']:.3f}" for p in ("axial", "coronal", "sagittal"))
          + f"  volume {m['volume_psnr']:.2f} dB  nfe {r.nfe}  {r.seconds:.1f} s")

# %%
for name, x in recs.items():
    fig = three_plane_figure(vol.x, {name: x}, spacing=vol.spacing, title=f"{name}: {geom.n_views} views, {geom.arc_deg:g}°")
    fig.savefig(out / f"{name.replace('+', 'p')}.png", dpi=90); plt.close(fig)
fig = three_plane_figure(vol.x, recs, spacing=vol.spacing, errors=False, title=f"{geom.n_views} views, {geom.arc_deg:g}°")
fig.savefig(out / "all_methods.png", dpi=90); plt.show()
for name, sd in stds.items():   # where the samples disagree: what the measurements leave to the prior
    d, h, w = (n // 2 for n in sd.shape)
    vmax = float(sd.flatten().kthvalue(max(1, int(0.995 * sd.numel()))).values) or 1.0   # the 99.5th percentile: a few edge voxels do not set the scale
    fig, axs = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, im, t, asp in zip(axs, (sd[d], sd[:, h], sd[:, :, w]), ("axial", "coronal", "sagittal"),
                              (1.0, vol.spacing[0] / vol.spacing[2], vol.spacing[0] / vol.spacing[1])):
        pc = ax.imshow(im.cpu(), cmap="magma", vmin=0, vmax=vmax, aspect=asp); ax.set_title(t); ax.axis("off")
    fig.colorbar(pc, ax=axs, shrink=0.8, label="standard deviation")
    fig.suptitle(f"{name}: per-voxel std of {int(samples)} samples, {geom.n_views} views")
    fig.savefig(out / f"{name.replace('+', 'p')}_std.png", dpi=90); plt.close(fig)

# %%
payload = {"params": params, "note": note, "volume": {"shape": list(vol.shape), "spacing": list(vol.spacing)},
           "device": device_name(), "torch_threads": torch.get_num_threads(), "methods": results}
write_json_atomic(out / "metrics.json", payload)   # written last, atomically: a present metrics.json means a finished run
print("wrote", out / "metrics.json")
