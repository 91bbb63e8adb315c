"""Issue #4's quality gate: a prior's one-step Tweedie denoiser against the best Gaussian smoothing, at t = 200, 400, 600,
on 13 LIDC validation slices at 128² (224, 228, ..., 272; adjacent triples around them for the blend prior).
Usage: python benchmarks/prior_gate.py diffblend/priors/slice128 [more priors or checkpoint folders]
       python benchmarks/prior_gate.py --val lidc_val128.npz PRIOR ...   (the validation slices saved as a volume file)
"""
import sys
import torch
from diffblend.data import load_lidc, load_ct
from diffblend.train import load_prior, denoise_gate

args = sys.argv[1:]
if args[:1] == ["--val"]:
    val, args = load_ct(args[1], 128).x, args[2:]
else:
    val = load_lidc("val", 128).x
triples = torch.stack([val[i - 1:i + 2] for i in range(4, 55, 4)])
for path in args:
    for t, (tw, base) in denoise_gate(load_prior(path), triples).items():
        print(f"{path} t={t}: Tweedie {tw:.2f} dB, best Gaussian smoothing {base:.2f} dB, margin {tw - base:+.2f} dB (gate: +3 dB)", flush=True)
