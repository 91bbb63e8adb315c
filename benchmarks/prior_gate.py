"""Issue #4's quality gate: a prior's one-step Tweedie denoiser against the best Gaussian smoothing, at t = 200, 400, 600,
on 14 LIDC validation slices at 128² (every 4th of 220-274). Blend priors score the middle slice of adjacent triples.
Usage: python benchmarks/prior_gate.py diffblend/priors/slice128   (a prior or a checkpoint folder)
"""
import sys
import torch
import torch.nn.functional as F
from diffblend.core import psnr, x_to_net, net_to_x, generator, randn_like
from diffblend.data import load_lidc
from diffblend.diffusion import vp_schedule, q_sample, tweedie_x0
from diffblend.train import load_prior

def blur(x, s):
    "Separable Gaussian blur of slices (n, H, W) with standard deviation s pixels (reflect padding)."
    if s == 0: return x
    r = int(3 * s) + 1; k = torch.exp(-0.5 * (torch.arange(-r, r + 1) / s) ** 2); k = k / k.sum()
    x = F.conv2d(F.pad(x[:, None], (r, r, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="reflect"), k.view(1, 1, -1, 1))[:, 0]

net = load_prior(sys.argv[1])
full = load_lidc("val", 128).x
idx = torch.arange(4, 55, 4).clamp(max=53)
sched, g = vp_schedule(), generator(0)
for t in (200, 400, 600):
    slabs = x_to_net(torch.stack([full[i - 1:i + 2] for i in idx]))[:, (1,) if net.k == 1 else slice(None)]
    xt = q_sample(slabs, t, sched, randn_like(slabs, g)); ab = sched.ab(t, xt)
    with torch.no_grad():
        kw = {"spacing": torch.ones(len(idx))} if net.spacing_code else {}
        eps = net(xt, torch.full((len(idx),), t), **kw)
    c = net.k // 2
    x0, xc = slabs[:, c], xt[:, c]
    tw = psnr(net_to_x(tweedie_x0(xc, eps[:, c], ab).clamp(-1, 1)), net_to_x(x0))
    base = max(psnr(net_to_x(blur(xc / ab.sqrt(), s).clamp(-1, 1)), net_to_x(x0)) for s in (0, 0.5, 1, 1.5, 2, 3, 4, 6))
    print(f"t={t}: Tweedie {tw:.2f} dB, best Gaussian smoothing {base:.2f} dB, margin {tw - base:+.2f} dB (gate: +3 dB)", flush=True)
