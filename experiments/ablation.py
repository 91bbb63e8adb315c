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
# # DiffusionBlend++ ablations
#
# Three questions about the blended sampler, each answered on the same scan (default: 24 LIDC validation
# slices, 128², 8 views), the same seed and the same CG data consistency:
#
# 1. **Jump frequency**: no jump partitions (`blend`), jumps on every 2nd, 3rd or 4th step, and jumps only.
# 2. **Steps**: PSNR against NFE for DDS 2D, DiffusionBlend and DiffusionBlend++.
# 3. **Random or fixed offsets**: partitions redrawn every step against one fixed partition (offset 0).
# 4. **Spacing code**: DiffusionBlend++ told the volume's physical slice spacing, against the code fixed to the
#    training data's 1 mm (meaningful on a volume whose spacing is not 1 mm, e.g. the 3 mm TotalSegmentator volume:
#    `-p data <path to example_ct.nii.gz> -p slices ""`). The jump blocks carry the code `jump_stride` × spacing:
#    on a 3 mm volume the default stride 3 asks for 9 mm, beyond the 1-8 mm the committed blend prior was
#    trained on; `-p jump_stride 2` keeps both codes (3 and 6 mm) inside that range. `spacing_methods` adds
#    DiffusionBlend (adjacent blocks only: one code, no jump code) and `spacing_codes` adds arms with other fixed
#    codes, so the study can ask how PSNR moves with the code itself.
#
# Run with papermill, e.g. `papermill experiments/ablation.ipynb runs/ablation.ipynb -p out_dir runs/ablation`.
# It writes `ablation.csv` (one row per configuration and seed, with the committed prior it used: name@sha256[:8]) and `ablation.png` (means over the seeds) into
# `out_dir`. Differences of a few hundredths of a dB are within the spread of one seed to the next: pass several
# seeds (`-p seed 0,1,2`) and read the paired differences (the same seed gives both arms the same noise).

# %% tags=["parameters"]
data = ""                   # empty: LIDC validation slices (needs DIFFBLEND_CT_ROOT), else a DICOM folder / NIfTI / NPZ
slices = "12:36"            # axial slices of that volume (for LIDC: of the validation slices 220-274)
resolution = 128
n_views = 8
steps = 50                  # steps for the jump-frequency and offset ablations
steps_list = "10,25,50,100" # steps for the NFE ablation
every_list = "0,4,3,2,1"    # jump on every n-th step; 0: never (blend), 1: always (jump only)
studies = "jump,steps,offset,spacing"  # which ablations to run
seed = "0"                  # one seed, or several comma-separated ("0,1,2"): every configuration runs once per seed
jump_stride = 3             # DiffusionBlend++'s jump blocks take slices i, i+s, i+2s (coded s x slice spacing)
spacing_methods = "blend++" # the spacing study's methods: blend++, blend, or both ("blend,blend++")
spacing_codes = ""          # the spacing study's extra arms: other fixed codes in mm ("2,5"), besides physical and 1 mm
out_dir = "runs/ablation"

# %%
import csv
from pathlib import Path
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from diffblend.core import generator, device_name
from diffblend.data import load_ct, load_lidc, ct_root, LIDC_SPLITS
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator
from diffblend.metrics import plane_metrics, PLANES
from diffblend.recon import reconstruct, parse_slices, write_json_atomic
from diffblend.train import prior_tag

if not data and ct_root() is None:
    raise ValueError("data: no CT found; set DIFFBLEND_CT_ROOT or pass data= (the ablations need real CT)")
vol = load_ct(data, resolution) if data else load_lidc("val", resolution)
vol = vol[parse_slices(slices, vol.shape[0])]
steps_l = [int(s) for s in str(steps_list).split(",")]
every_l = [int(s) for s in str(every_list).split(",")]
study_l = [s.strip() for s in str(studies).split(",") if s.strip()]
if not study_l or set(study_l) - {"jump", "steps", "offset", "spacing"}:
    raise ValueError(f"studies: choose from jump, steps, offset, spacing; got {studies!r}")
try:
    seed_l = [int(s) for s in str(seed).split(",")]
except ValueError:
    raise ValueError(f"seed: an integer or comma-separated integers, got {seed!r}") from None
if not str(jump_stride).isdigit() or int(jump_stride) < 2:
    raise ValueError(f"jump_stride: an integer of 2 or more slices (1 is an adjacent block), got {jump_stride!r}")
sp_methods = [m.strip() for m in str(spacing_methods).split(",") if m.strip()]
if not sp_methods or set(sp_methods) - {"blend", "blend++"}:
    raise ValueError(f"spacing_methods: comma-separated from blend, blend++; got {spacing_methods!r}")
try:
    sp_codes = [float(c) for c in str(spacing_codes).split(",") if c.strip()]
except ValueError:
    raise ValueError(f"spacing_codes: comma-separated slice spacings in mm, got {spacing_codes!r}") from None
if any(not c > 0 for c in sp_codes):
    raise ValueError(f"spacing_codes: every code must be a positive spacing in mm, got {spacing_codes!r}")
if min(steps_l + [int(steps)]) < 1 or min(every_l) < 0:
    raise ValueError(f"steps must be >= 1 and every_list entries >= 0; got steps_list={steps_list!r}, every_list={every_list!r}")
out = Path(out_dir); out.mkdir(parents=True, exist_ok=True)
op = VolumeOperator(ParallelGeometry(resolution, int(n_views)), depth=vol.shape[0])
y = op(vol.x)
print(vol, f"{n_views} views")

# %%
tags = {n: prior_tag(n) for n in ("slice128", "blend128")}     # the committed priors the methods run with (hashed once)

rows = []
def run(study, label, method, **kw):
    kw.setdefault("spacing_mm", vol.spacing[0])
    if method == "blend++": kw.setdefault("stride", int(jump_stride))
    for sd in seed_l:
        r = reconstruct(y, op, method, generator=generator(sd), **kw)
        m = plane_metrics(r.x, vol.x)
        row = {"study": study, "label": label, "method": method, **{f"{p}_psnr": round(m[p]["psnr"], 3) for p in PLANES},
               **{f"{p}_ssim": round(m[p]["ssim"], 4) for p in PLANES}, "volume_psnr": round(m["volume_psnr"], 3),
               "nfe": r.nfe, "eta": r.info.get("eta"), "seconds": round(r.seconds, 1), "seed": sd,
               "jump_stride": kw["stride"] if method == "blend++" else "", "prior": tags["blend128" if method.startswith("blend") else "slice128"]}
        rows.append(row)
        print(f"{study:7s} {label:22s} seed {sd} " + "  ".join(f"{p[:3]} {row[p + '_psnr']:.2f}" for p in PLANES) + f"  nfe {r.nfe} {r.seconds:.0f} s", flush=True)

for e in every_l if "jump" in study_l else []:
    if e == 0: run("jump", "never (blend)", "blend", steps=int(steps))
    else: run("jump", f"every {e}" + (" (jump only)" if e == 1 else ""), "blend++", steps=int(steps), every=e)
for s in steps_l if "steps" in study_l else []:
    for m in ("dds2d", "blend", "blend++"):
        run("steps", f"{m} {s}", m, steps=s)
for m in ("blend", "blend++") if "offset" in study_l else []:
    run("offset", f"{m} fixed", m, steps=int(steps), random_offset=False)
    run("offset", f"{m} random", m, steps=int(steps), random_offset=True)
for m in sp_methods if "spacing" in study_l else []:
    run("spacing", f"code {vol.spacing[0]:g} mm (physical)", m, steps=int(steps))
    run("spacing", "code 1 mm (training)", m, steps=int(steps), spacing_mm=1.0)
    for c in sp_codes:
        run("spacing", f"code {c:g} mm (fixed)", m, steps=int(steps), spacing_mm=c)

# %%
def mean_rows(rows):
    "One row per (study, label, method) in first-seen order, the metrics averaged over the seeds."
    groups = {}
    for r in rows: groups.setdefault((r["study"], r["label"], r["method"]), []).append(r)
    return [{**g[0], **{k: sum(x[k] for x in g) / len(g) for k in g[0] if k.endswith(("_psnr", "_ssim"))}} for g in groups.values()]

means = mean_rows(rows)
fig, axs = plt.subplots(1, 4, figsize=(17, 3.6))
jr = [r for r in means if r["study"] == "jump"]
for p in PLANES:
    axs[0].plot(range(len(jr)), [r[f"{p}_psnr"] for r in jr], "o-", label=p)
axs[0].set_xticks(range(len(jr)), [r["label"] for r in jr], rotation=20, fontsize=8); axs[0].set_ylabel("PSNR (dB)")
axs[0].set_title("jump frequency (blend++)"); axs[0].legend(fontsize=8)
for m in ("dds2d", "blend", "blend++"):
    sr = [r for r in means if r["study"] == "steps" and r["method"] == m]
    axs[1].plot([r["nfe"] for r in sr], [r["sagittal_psnr"] for r in sr], "o-", label=m)
axs[1].set_xscale("log"); axs[1].set_xlabel("NFE"); axs[1].set_ylabel("sagittal PSNR (dB)"); axs[1].legend(); axs[1].set_title("steps")
orr = [r for r in means if r["study"] == "offset"]
w = 0.25
for i, p in enumerate(PLANES):
    axs[2].bar([j + i * w for j in range(len(orr))], [r[f"{p}_psnr"] for r in orr], w, label=p)
axs[2].set_xticks([j + w for j in range(len(orr))], [r["label"] for r in orr], fontsize=8)
if orr: axs[2].set_ylim(min(r[f"{p}_psnr"] for r in orr for p in PLANES) - 1, None)
axs[2].set_title("random vs fixed offsets"); axs[2].legend(fontsize=8)
spr = [r for r in means if r["study"] == "spacing"]
for i, p in enumerate(PLANES):
    axs[3].bar([j + i * w for j in range(len(spr))], [r[f"{p}_psnr"] for r in spr], w, label=p)
axs[3].set_xticks([j + w for j in range(len(spr))], [r["label"].replace(" (", "\n(") + (f"\n{r['method']}" if len(sp_methods) > 1 else "") for r in spr],
                  fontsize=7)
if spr: axs[3].set_ylim(min(r[f"{p}_psnr"] for r in spr for p in PLANES) - 1, None)
axs[3].set_title("spacing code"); axs[3].legend(fontsize=8)
plt.tight_layout(); fig.savefig(out / "ablation.png", dpi=90); plt.show()

# %%
sp = [r for r in rows if r["study"] == "spacing"]
for m in sp_methods if sp else []:   # paired by seed: both codes see the same noise draws, so the difference is not the seeds' spread
    phys = {r["seed"]: r for r in sp if r["method"] == m and "physical" in r["label"]}
    fixed = {r["seed"]: r for r in sp if r["method"] == m and "training" in r["label"]}
    for p in PLANES:
        d = [phys[k][f"{p}_psnr"] - fixed[k][f"{p}_psnr"] for k in phys]
        print(f"{m:8s} spacing code, {p:8s}: physical - training = {sum(d) / len(d):+.3f} dB (per seed: {', '.join(f'{x:+.3f}' for x in d)})")

# %%
tmp = out / ".ablation.csv.tmp"
with tmp.open("w", newline="") as f:
    wr = csv.DictWriter(f, list(rows[0])); wr.writeheader(); wr.writerows(rows)
tmp.replace(out / "ablation.csv")
write_json_atomic(out / "params.json", {"data": data, "slices": slices, "resolution": resolution, "n_views": n_views, "steps": steps,
                                         "steps_list": steps_list, "every_list": every_list, "studies": studies, "seed": seed, "jump_stride": jump_stride,
                                         "spacing_methods": spacing_methods, "spacing_codes": spacing_codes,
                                         "device": device_name(), "threads": torch.get_num_threads()})
print("wrote", out / "ablation.csv")
