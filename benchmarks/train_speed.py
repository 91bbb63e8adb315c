"""Training throughput of the priors in slabs/s: the committed architecture (base 32, mults 1,2,3,4, patch 2) for
the slice prior (k=1) and the blend prior (k=3), on 64² crops (how the priors are trained) and whole 128²
slices. Two warm-up steps, then `--steps` timed steps (a resumed run, so the timing excludes start-up).
Writes/merges results/train_speed.csv (one row per device, prior, crop, batch).

  python benchmarks/train_speed.py                       # CPU, all threads
  python benchmarks/train_speed.py --device cuda --batch 64
"""
import argparse, tempfile
from pathlib import Path
import torch
from diffblend.train import TrainConfig, train
from diffblend.data import ct_root
from diffblend.core import device_name
from diffblend.recon import merge_csv

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["device", "threads", "prior", "crop", "batch", "steps", "slabs_per_s", "data"]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu"); ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crops", default="64,128"); ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--csv", default=str(ROOT / "results" / "train_speed.csv"))
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    data = "lidc" if ct_root() is not None else "phantom"
    dev = device_name(a.device)
    rows = []
    for prior in ("slice", "blend"):
        for crop in (int(c) for c in a.crops.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                kw = dict(prior=prior, data=data, crop=crop, batch=a.batch, ckpt_every=2, strides=(1,) if prior == "slice" else tuple(range(1, 9)))
                train(TrainConfig(steps=2, **kw), tmp, progress=False, device=a.device)
                out = train(TrainConfig(steps=2 + a.steps, **kw), tmp, progress=False, device=a.device)
            rows.append({"device": dev, "threads": torch.get_num_threads(), "prior": prior, "crop": crop, "batch": a.batch,
                         "steps": a.steps, "slabs_per_s": round(out["slabs_per_s"], 2), "data": data})
            print(rows[-1], flush=True)
    merge_csv(a.csv, rows, FIELDS, key=lambda r: (r["device"], r["prior"], str(r["crop"]), str(r["batch"])))

if __name__ == "__main__":
    main()
