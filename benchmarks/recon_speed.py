"""Where a reconstruction's time goes: network, data consistency (the CT operator) and the rest, per method,
with NFE and peak memory; how time and memory grow with the number of slices and the in-plane size.

Every configuration runs in its own process; peak RSS is reset (Linux clear_refs) after loading the data and
the prior, so it is the reconstruction's own, on LIDC validation slices tiled along z
to the requested depth (or the phantom without CT data), 8 views. Writes/merges results/benchmarks.csv
(one row per device, method, depth, size, steps).

  python benchmarks/recon_speed.py --methods fbp,tv,dds2d,dds,mbir,blend,blend++,patch3d --depths 64 --sizes 128 --steps 50
  python benchmarks/recon_speed.py --methods blend++ --depths 32,64,128,256 --sizes 128 --steps 5     # scaling along z
  python benchmarks/recon_speed.py --methods blend++ --depths 32 --sizes 128,256 --steps 5            # in-plane scaling
  python benchmarks/recon_speed.py --device cuda --backend torch ...                                  # the GPU path
  python benchmarks/recon_speed.py --device cuda --backend torch --dtype bf16 --channels_last --compile --warmup 4 --batch 128 ...

Options that only matter on a GPU: --dtype bf16 (network weights and activations in bfloat16), --channels_last (NHWC
convolutions), --compile (torch.compile of the network; --compile graphs adds CUDA graphs; --warmup steps run first so
compilation and cuDNN autotuning are not timed), --batch (blocks per network call). Each row records them in `variant`.
On a GPU the network and operator times are CUDA-event intervals read after the run, so the clock adds no
synchronisation to the pipeline it measures; the total is wall time with one synchronisation at either end.
--profile FILE writes torch.profiler's kernel table of the run (such rows are marked +profiled).
"""
import argparse, json, resource, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["device", "threads", "method", "depth", "size", "views", "steps", "nfe", "seconds", "network_s", "operator_s",
          "other_s", "seconds_per_step", "rss_before_mb", "peak_rss_mb", "gpu_max_alloc_mb", "backend", "dtype", "volume_psnr", "variant"]

def _status_mb(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"): return int(line.split()[1]) / 1024
    return float("nan")

def _reset_peak_rss():
    "Reset the kernel's peak-RSS counter (Linux clear_refs 5) so the peak covers the reconstruction only; returns RSS now."
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status_mb("VmRSS")

def _peak_rss_mb():
    return _status_mb("VmHWM") if Path("/proc/self/status").exists() else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def one(method, depth, size, steps, device, backend, threads, dtype, batch=16, channels_last=False, compile=False, warmup=0,
        profile=""):
    import torch
    if threads: torch.set_num_threads(threads)
    if device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    from diffblend.core import generator, psnr, device_name
    from diffblend.data import ct_root, load_lidc, phantom
    from diffblend.radon import ParallelGeometry
    from diffblend.ops import VolumeOperator
    from diffblend.recon import reconstruct, default_prior
    src = load_lidc("val", size).x if ct_root() is not None else phantom(32, size).x
    vol = src.repeat((depth + src.shape[0] - 1) // src.shape[0], 1, 1)[:depth].to(device)
    op = VolumeOperator(ParallelGeometry(size, 8), backend=backend)
    y = op(vol)
    clock = {"net": 0.0, "op": 0.0}
    cuda = device.startswith("cuda")
    sync = (lambda: torch.cuda.synchronize()) if cuda else (lambda: None)
    events = []       # on a GPU: CUDA events around each call, read after the run; no synchronisation inside it
    def timed(f, key):
        def g(*a, **k):
            if cuda:
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record(); out = f(*a, **k); e.record(); events.append((key, s, e))
                return out
            t = time.perf_counter(); out = f(*a, **k); clock[key] += time.perf_counter() - t
            return out
        return g
    op._fwd, op._adj = timed(op._fwd, "op"), timed(op._adj, "op")
    kw = {}
    if method not in ("fbp", "cg", "tv"):
        name = "blend128" if method.startswith("blend") else "patch3d128" if method == "patch3d" else "slice128"
        net = default_prior(name).to(device)
        if channels_last:
            net = net.to(memory_format=torch.channels_last)
        if compile:   # "compile": inductor kernels; "graphs": the same plus CUDA graphs (mode reduce-overhead)
            net.forward = torch.compile(net.forward, dynamic=False, mode="reduce-overhead" if compile == "graphs" else None)
        if dtype == "bf16":   # autocast: convolutions and attention in bfloat16, normalisations and embeddings in float32
            f0 = net.forward
            def f_bf16(x, t, **c):
                with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16):
                    return f0(x, t, **c).float()
            net.forward = f_bf16
        net.forward = timed(net.forward, "net")
        kw = dict(prior=net, steps=steps)
        if method != "patch3d": kw["batch"] = batch
        if warmup:   # compilation, autotuning and allocator growth happen here, untimed
            reconstruct(y, op, method, generator=generator(1, device), **{**kw, "steps": warmup})
            sync(); clock.update(net=0.0, op=0.0); events.clear()
    if cuda: torch.cuda.reset_peak_memory_stats()
    base = _reset_peak_rss()
    sync(); t0 = time.perf_counter()
    if profile:
        from torch.profiler import profile as prof, ProfilerActivity
        with prof(activities=[ProfilerActivity.CPU] + [ProfilerActivity.CUDA] * cuda) as pr:
            r = reconstruct(y, op, method, generator=generator(0, device), **kw)
            sync()
        Path(profile).write_text(pr.key_averages().table(sort_by="cuda_time_total" if cuda else "cpu_time_total", row_limit=40))
    else:
        r = reconstruct(y, op, method, generator=generator(0, device), **kw)
    sync(); total = time.perf_counter() - t0
    for key, s, e in events:
        clock[key] += s.elapsed_time(e) / 1000
    return {"device": device_name(device),
            "threads": torch.get_num_threads(), "method": method, "depth": depth, "size": size, "views": 8, "steps": steps if kw else 0,
            "nfe": r.nfe, "seconds": round(total, 2), "network_s": round(clock["net"], 2), "operator_s": round(clock["op"], 2),
            "other_s": round(total - clock["net"] - clock["op"], 2), "seconds_per_step": round(total / max(r.nfe, 1), 3),
            "peak_rss_mb": round(_peak_rss_mb(), 1), "rss_before_mb": round(base, 1),
            "gpu_max_alloc_mb": round(torch.cuda.max_memory_allocated() / 2 ** 20, 1) if device.startswith("cuda") else "",
            "backend": op._pick(vol), "dtype": dtype, "volume_psnr": round(psnr(r.x.cpu(), vol.cpu()), 3),
            "variant": f"batch{batch}" + ("+channels_last" if channels_last else "") + (f"+{compile}" if compile else "") + (f"+warmup{warmup}" if warmup else "") + ("+profiled" if profile else "")}

def merge(path: Path, new: list):
    from diffblend.recon import merge_csv
    merge_csv(path, new, FIELDS, key=lambda r: (r["device"], r["method"], str(r["depth"]), str(r["size"]), str(r["steps"]), r.get("dtype", ""), r.get("variant") or "batch16", r.get("backend", "")))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", default="fbp,tv,dds2d,dds,mbir,blend,blend++,patch3d")
    ap.add_argument("--depths", default="64"); ap.add_argument("--sizes", default="128"); ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--device", default="cpu"); ap.add_argument("--backend", default="auto"); ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"])
    ap.add_argument("--batch", type=int, default=16, help="blocks (or slices) per network call")
    ap.add_argument("--channels_last", action="store_true")
    ap.add_argument("--compile", nargs="?", const="compile", default="", choices=["", "compile", "graphs"],
                    help="torch.compile the network ('graphs': with CUDA graphs, mode reduce-overhead)")
    ap.add_argument("--profile", default="", help="write torch.profiler's table of the timed run to this file (the row's times then include profiling)")
    ap.add_argument("--warmup", type=int, default=0, help="untimed reconstruction steps first (use with --compile)")
    ap.add_argument("--csv", default=str(ROOT / "results" / "benchmarks.csv"))
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print("RESULT " + json.dumps(one(a.methods, int(a.depths), int(a.sizes), a.steps, a.device, a.backend, a.threads, a.dtype,
                                         a.batch, a.channels_last, a.compile, a.warmup, a.profile)), flush=True)
        return
    rows, failed = [], False
    for m in a.methods.split(","):
        for d in a.depths.split(","):
            for s in a.sizes.split(","):
                cmd = [sys.executable, __file__, "--one", "--methods", m, "--depths", d, "--sizes", s, "--steps", str(a.steps),
                       "--device", a.device, "--backend", a.backend, "--threads", str(a.threads), "--dtype", a.dtype,
                       "--batch", str(a.batch), "--warmup", str(a.warmup), "--profile", a.profile] + ["--channels_last"] * a.channels_last + ["--compile", a.compile] * bool(a.compile)
                out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
                if out.returncode or not line:
                    print(f"{m} depth {d} size {s} failed:\n{out.stderr[-3000:]}", flush=True)
                    failed = True; continue
                r = json.loads(line[0][7:]); rows.append(r)
                print(f"{m:8s} {d:>4s}x{s}² steps {r['steps']:3d}: {r['seconds']:7.1f} s (network {r['network_s']:.1f}, "
                      f"operator {r['operator_s']:.1f}, other {r['other_s']:.1f}), peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
                merge(Path(a.csv), [r])
    if failed: sys.exit("some configurations failed (above)")

if __name__ == "__main__":
    main()
