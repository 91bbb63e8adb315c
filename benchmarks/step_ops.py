"""What one reverse step of DiffusionBlend++ spends outside the network: each piece of vector work, timed alone on a
D x N x N volume (default 256³, 8 views, blocks of 3 at batch 128), with variants side by side so the cheaper one
can be chosen with numbers. Writes/merges results/step_ops.csv (device, size, op, milliseconds per call, calls per step).

  python benchmarks/step_ops.py                       # CPU (slow at 256³: use --depth 64)
  python benchmarks/step_ops.py --device cuda          # GPU: CUDA-event timing, median of --reps calls

A step with 5 CG iterations calls: the network once per 128 blocks, gather and scatter of the blocks once, Tweedie
and its noise once, the operator pair 6 times (the initial residual and 5 iterations), 2 inner products and 3 vector
updates per iteration, and the DDIM update with fresh noise once.
"""
import argparse, statistics, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["device", "depth", "size", "op", "ms", "calls_per_step"]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu"); ap.add_argument("--depth", type=int, default=256)
    ap.add_argument("--size", type=int, default=256); ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--csv", default=str(ROOT / "results" / "step_ops.csv"))
    a = ap.parse_args()
    from diffblend.core import device_name, generator, all_finite, randn_like
    from diffblend.radon import ParallelGeometry
    from diffblend.ops import sparse_apply
    from diffblend.partitions import adjacent
    from diffblend.diffusion import tweedie_x0, eps_from_x0
    from diffblend.recon import merge_csv
    dev, D, N = torch.device(a.device), a.depth, a.size
    cuda = dev.type == "cuda"
    g = generator(0, dev)
    x, p, q = (torch.rand(D, N, N, device=dev, generator=g) for _ in range(3))
    geom = ParallelGeometry(N, 8)
    sino = sparse_apply(x, geom, "f")
    al = torch.rand(D, 1, 1, device=dev, generator=g)
    ab = torch.tensor(0.5, device=dev)
    part = adjacent(3)(D, 0, torch.Generator().manual_seed(0))
    idx, own = part.blocks[:128].to(dev), part.own[:128].to(dev)
    blk = x[idx]

    def clock(f):
        f(); f()
        out = []
        for _ in range(a.reps):
            if cuda:
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record(); f(); e.record(); torch.cuda.synchronize(); out.append(s.elapsed_time(e))
            else:
                t = time.perf_counter(); f(); out.append((time.perf_counter() - t) * 1e3)
        return statistics.median(out)

    cases = [  # (name, function, calls per step in the current code)
        ("inner product: (a*b).sum per slice", lambda: (p * q).sum(dim=(1, 2), keepdim=True), 0),
        ("inner product: bmm per slice", lambda: torch.bmm(p.reshape(D, 1, -1), q.reshape(D, -1, 1)), 10),
        ("inner product: linalg.vecdot per slice", lambda: torch.linalg.vecdot(p.flatten(1), q.flatten(1)), 0),
        ("update: x + a*p (new tensor)", lambda: p + al * q, 0),
        ("update: x.addcmul_(a, p) (in place)", lambda: p.addcmul_(al, q), 10),
        ("update: p.mul_(b).add_(r)", lambda: p.mul_(al).add_(q), 5),
        ("finite test: isfinite(x).all()", lambda: bool(torch.isfinite(x).all()), 0),
        ("finite test: all_finite (one sum)", lambda: all_finite(x), 0),   # once per reconstruction
        ("transpose copy (D, N²) -> (N², D)", lambda: x.reshape(D, -1).T.contiguous(), 0),   # 2 in each operator call below
        ("operator: sparse forward (incl. transposes)", lambda: sparse_apply(x, geom, "f"), 6),
        ("operator: sparse adjoint (incl. transposes)", lambda: sparse_apply(sino, geom, "b"), 6),
        ("blocks: gather x[idx] (128 blocks)", lambda: x[idx], 1),
        ("blocks: scatter index_put (128 blocks)", lambda: torch.zeros_like(x).index_put((idx[own],), blk[own]), 1),
        ("Tweedie x0 and clip and eps", lambda: eps_from_x0(p, tweedie_x0(p, q, ab).clamp(-1, 1), ab), 1),
        ("DDIM update with fresh noise", lambda: (ab.sqrt() * p).addcmul_(ab, q).addcmul_(ab, randn_like(p, g)), 1),
        ("scale: (z + 1) / 2", lambda: (p + 1) / 2, 2),
    ]
    rows = []
    for name, f, n in cases:
        ms = clock(f)
        rows.append({"device": device_name(a.device), "depth": D, "size": N, "op": name, "ms": round(ms, 3), "calls_per_step": n})
        print(f"{name:48s} {ms:9.3f} ms  x{n}", flush=True)
    total = sum(r["ms"] * r["calls_per_step"] for r in rows)
    print(f"sum over a step (calls_per_step > 0): {total:.2f} ms")
    merge_csv(Path(a.csv), rows, FIELDS, key=lambda r: (r["device"], str(r["depth"]), str(r["size"]), r["op"]))

if __name__ == "__main__":
    main()
