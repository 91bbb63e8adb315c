"""Forward + adjoint of a 64 x 256 x 256 volume at 8 views: diffblend's VolumeOperator against raw ASTRA.

Raw ASTRA: one 2D `astra_cpu` linear projector with persistent data objects, a loop over slices calling
FP_CPU/BP_CPU (no Python wrapper, no copies beyond ASTRA's own). The wrapper: torch tensors in and out,
ODL's RayTransform per slice, over threads. Both are timed single-threaded (the like-for-like overhead)
and the wrapper also with its default threads. The two pure-PyTorch backends (used on GPUs without CUDA ASTRA)
are timed on the CPU too: 'torch' (gather-based Joseph) and 'sparse' (the same Joseph weights as a CSR matrix). Writes results/operator_speed.csv.
Usage: python benchmarks/operator_speed.py [--depth 64] [--size 256] [--views 8] [--repeats 3]
"""
import argparse, csv, time
from pathlib import Path
import numpy as np
import torch
import astra
from diffblend.core import cpu_threads, device_name
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator

p = argparse.ArgumentParser()
p.add_argument("--depth", type=int, default=64); p.add_argument("--size", type=int, default=256)
p.add_argument("--views", type=int, default=8); p.add_argument("--repeats", type=int, default=3)
a = p.parse_args()
torch.set_num_threads(1)
geom = ParallelGeometry(a.size, a.views)
x = torch.rand(a.depth, a.size, a.size, generator=torch.Generator().manual_seed(0))
xn = x.numpy()

def raw_astra():
    vg = astra.create_vol_geom(a.size, a.size)
    pg = astra.create_proj_geom("parallel", 1.0, geom.det_count, geom.angles)
    pid = astra.create_projector("linear", pg, vg)
    vid, sid = astra.data2d.create("-vol", vg), astra.data2d.create("-sino", pg)
    cfg_f = astra.astra_dict("FP"); cfg_f.update(ProjectorId=pid, VolumeDataId=vid, ProjectionDataId=sid)
    cfg_b = astra.astra_dict("BP"); cfg_b.update(ProjectorId=pid, ReconstructionDataId=vid, ProjectionDataId=sid)
    fp, bp = astra.algorithm.create(cfg_f), astra.algorithm.create(cfg_b)
    def run():
        sino = np.empty((a.depth, *geom.sino_shape), np.float32); back = np.empty_like(xn)
        for d in range(a.depth):
            astra.data2d.store(vid, xn[d]); astra.algorithm.run(fp); sino[d] = astra.data2d.get_shared(sid)
        for d in range(a.depth):
            astra.data2d.store(sid, sino[d]); astra.algorithm.run(bp); back[d] = astra.data2d.get_shared(vid)
        return back
    return run

def wrapper(threads):
    op = VolumeOperator(geom, depth=a.depth, backend="astra", threads=threads)
    return lambda: op.T(op(x))

def best(f):
    f(); ts = []
    for _ in range(a.repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)

def torch_backend(backend, threads):
    "A pure-PyTorch backend (gather-based Joseph 'torch', or the Joseph matrix in CSR 'sparse') at `threads` torch threads."
    op = VolumeOperator(geom, depth=a.depth, backend=backend)
    def run():
        torch.set_num_threads(threads)
        try: return op.T(op(x))
        finally: torch.set_num_threads(1)
    return run

rows, raw, n = [], best(raw_astra()), cpu_threads()
for name, secs in [("raw ASTRA, 1 thread", raw), ("VolumeOperator(astra), 1 thread", best(wrapper(1))),
                   (f"VolumeOperator(astra), {n} threads", best(wrapper(None))),
                   ("VolumeOperator(torch), 1 thread", best(torch_backend("torch", 1))),
                   (f"VolumeOperator(torch), {n} threads", best(torch_backend("torch", n))),
                   ("VolumeOperator(sparse), 1 thread", best(torch_backend("sparse", 1))),
                   (f"VolumeOperator(sparse), {n} threads", best(torch_backend("sparse", n)))]:
    rows.append(dict(what=name, shape=f"{a.depth}x{a.size}x{a.size}", views=a.views, seconds=round(secs, 3),
                     ratio_to_raw=round(secs / raw, 3), device=device_name()))
    print(rows[-1], flush=True)
out = Path(__file__).resolve().parents[1] / "results" / "operator_speed.csv"
with out.open("w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
