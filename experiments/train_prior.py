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
# # Train (or resume) a prior
#
# The papermill face of `python -m diffblend.train` (`nbs/12_train.ipynb`): trains the slice prior (k = 1) or
# the 3-slice blend prior (k = 3, strides 1–8) on the LIDC training split, resuming `checkpoint` if it
# exists, then shows the loss curve and, if `export_to` is set, writes a committed-style prior (fp16 EMA).
# For long runs use the command line in the background; this notebook is for short, recorded runs:
# `papermill experiments/train_prior.ipynb runs/train.ipynb -p prior blend -p steps 2000 -p checkpoint checkpoints/b`.

# %% tags=["parameters"]
prior = "slice"               # "slice" (k 1), "blend" (k 3) or "patch3d"
data = "lidc"                 # "lidc" (training split, needs DIFFBLEND_CT_ROOT) or "phantom"
resolution = 128              # in-plane size of the training slices
crop = 64                     # random crop size
batch = 16
steps = 1000                  # train until this step (a resumed run continues to it)
lr = 3e-4
ema = 0.998
checkpoint = "checkpoints/slice128"   # folder: resumed if it holds a checkpoint
ckpt_every = 200
export_to = ""                # empty: no export; else a folder for the fp16 EMA prior
threads = 0                   # torch CPU threads; 0: leave as is
device = "cpu"

# %%
import time
from pathlib import Path
import numpy as np
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from diffblend.train import TrainConfig, train, read_config, export_prior

if prior not in ("slice", "blend"):
    raise ValueError(f"prior must be 'slice' or 'blend', got {prior!r}")
if data not in ("lidc", "phantom"):
    raise ValueError(f"data must be 'lidc' or 'phantom', got {data!r}")
if int(steps) < 1 or int(batch) < 1 or not 16 <= int(crop) <= int(resolution):
    raise ValueError(f"need steps >= 1, batch >= 1 and 16 <= crop <= resolution; got steps={steps}, batch={batch}, crop={crop}")
if threads: torch.set_num_threads(int(threads))
cfg = TrainConfig(prior=prior, data=data, resolution=int(resolution), crop=int(crop), batch=int(batch), steps=int(steps),
                  lr=float(lr), ema=float(ema), ckpt_every=int(ckpt_every), warmup=300,
                  strides=(1,) if prior == "slice" else tuple(range(1, 9)))
print(cfg)

# %%
t0 = time.perf_counter()
out = train(cfg, checkpoint, device=device)
print(f"step {out['step']}, {out['slabs_per_s']:.1f} slabs/s, {time.perf_counter() - t0:.0f} s in this call")

# %%
meta = read_config(checkpoint)
h = np.array(meta["history"])
fig, ax = plt.subplots(figsize=(6, 3))
if len(h): ax.plot(h[:, 0], h[:, 1])
ax.set_yscale("log"); ax.set_xlabel("step"); ax.set_ylabel("ε-loss (smoothed)"); ax.set_title(f"{prior} prior: {checkpoint}")
plt.tight_layout(); fig.savefig(Path(checkpoint) / "loss.png", dpi=90); plt.show()
if export_to:
    print("exported to", export_prior(checkpoint, export_to))
