"""The comparison table: run experiments/reconstruct.ipynb (papermill) over methods x scan settings, collect
results/table.csv (one row per data, setting, method) and results/figures/<data>_<setting>.png (the comparison
figure, written when a run covers every method the table has for the setting; a partial re-run writes
<data>_<setting>_<methods>.png beside it and removes older partial figures whose methods it re-ran);
results/figures/figures.json records each figure's methods and the order the figures were written in.

Settings: 8, 6, 4 views over 180 deg, and "arc90" (90 views over 90 deg, the limited-angle setting).
Rows for the same (data, setting, method) are replaced, others kept, so the table can be filled in parts:
  python experiments/table.py --settings 8 --methods fbp,tv,dds2d,dds,mbir,blend,blend++
  python experiments/table.py --settings 6,4,arc90 --methods fbp,tv,dds2d,blend++
  python experiments/table.py --data totalseg --settings 8 --methods fbp,tv,dds2d,blend,blend++
"""
import argparse, json, shutil, subprocess, sys, time
from pathlib import Path
from diffblend.recon import merge_csv, write_json_atomic

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"8": (8, 180.0), "6": (6, 180.0), "4": (4, 180.0), "arc90": (90, 90.0)}
METHODS = ("fbp", "tv", "dds2d", "dds", "mbir", "dps", "blend", "blend++", "patch3d")   # the order of rows within a setting
FIELDS = ["data", "setting", "n_views", "arc_deg", "method", "axial_psnr", "axial_ssim", "coronal_psnr", "coronal_ssim",
          "sagittal_psnr", "sagittal_ssim", "volume_psnr", "nfe", "eta", "seconds", "steps", "slices", "resolution", "device", "threads"]

def data_path(name: str) -> tuple:
    "('' or a path, slices) for a named data set: lidc = the LIDC validation slices, totalseg = the 3 mm NIfTI volume."
    if name == "lidc":
        return "", ""
    if name == "totalseg":
        from diffblend.data import ct_root, TOTALSEG
        root = ct_root()
        if root is None:
            sys.exit("totalseg: no CT data found (set DIFFBLEND_CT_ROOT)")
        return str(root / TOTALSEG), ""
    return name, ""

def label(data: str) -> str:
    return data if data in ("lidc", "totalseg") else Path(data).name.split(".")[0]

def run(data: str, setting: str, methods: str, steps: int, slices: str, resolution: int, runs: Path) -> dict:
    n_views, arc = SETTINGS[setting]
    path, default_slices = data_path(data)
    out = runs / f"{label(data)}_{setting}_{time.strftime('%Y%m%d-%H%M%S')}"
    cmd = [sys.executable, "-m", "papermill", "--no-progress-bar", str(ROOT / "experiments/reconstruct.ipynb"), str(out / "reconstruct.ipynb"),
           "-p", "data", path, "-p", "slices", slices or default_slices, "-p", "resolution", str(resolution),
           "-p", "n_views", str(n_views), "-p", "arc_deg", str(arc), "-p", "methods", methods, "-p", "steps", str(steps),
           "-p", "out_dir", str(out)]
    out.mkdir(parents=True, exist_ok=True)
    print("[table]", " ".join(cmd[3:]), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return json.loads((out / "metrics.json").read_text()), out

def rows_of(data: str, setting: str, metrics: dict) -> list:
    p, rows = metrics["params"], []
    for name, m in metrics["methods"].items():
        rows.append({"data": label(data), "setting": setting, "n_views": p["n_views"], "arc_deg": p["arc_deg"], "method": name,
                     **{f"{pl}_{k}": round(m[pl][k], 4) for pl in ("axial", "coronal", "sagittal") for k in ("psnr", "ssim")},
                     "volume_psnr": round(m["volume_psnr"], 4), "nfe": m["nfe"], "eta": "" if m.get("eta") is None else m["eta"], "seconds": m["seconds"], "steps": p["steps"],
                     "slices": metrics["note"].split("slices ")[-1], "resolution": p["resolution"], "device": metrics["device"],
                     "threads": metrics["torch_threads"]})
    return rows

def merge(csv_path: Path, new: list):
    "Replace rows with the same (data, setting, method); keep the rest; write atomically."
    order, rank = {s: i for i, s in enumerate(SETTINGS)}, {m: i for i, m in enumerate(METHODS)}
    merge_csv(csv_path, new, FIELDS, key=lambda r: (r["data"], r["setting"], r["method"]),
              order=lambda r: (r["data"], order.get(r["setting"], 99), rank.get(r["method"], 99)))

def _tag(names) -> str:
    return "_".join(n.replace("+", "p") for n in names)

def figure_name(csv_path: Path, data: str, setting: str, names: list) -> str:
    """`<data>_<setting>.png`, the setting's comparison figure, when this run covers every method the table already
    has for the setting (or the table has none); otherwise `<data>_<setting>_<methods>.png`, a partial re-run's
    figure, shown beside the comparison figure that it does not overwrite."""
    import csv
    have = {r["method"] for r in csv.DictReader(csv_path.open()) if r["data"] == data and r["setting"] == setting} if csv_path.exists() else set()
    return f"{data}_{setting}.png" if have <= set(names) else f"{data}_{setting}_{_tag(names)}.png"

def stale_figures(figs: Path, data: str, setting: str, names: list, written: str) -> list:
    "Partial figures of this setting whose methods were all re-run now (their table rows no longer come from them)."
    out = []
    for f in figs.glob(f"{data}_{setting}_*.png"):
        if f.name == written: continue
        tags = set(f.stem[len(f"{data}_{setting}_"):].split("_"))
        if tags <= {_tag([n]) for n in names}: out.append(f)
    return out

def record_figure(figs: Path, name: str, names: list, removed: list = ()) -> None:
    """Keep `figures.json` beside the figures: for each comparison figure, the methods whose panels it holds and the
    order in which the figures were written, so the docs can tell which figure holds each method's current run."""
    p = figs / "figures.json"
    idx = json.loads(p.read_text()) if p.exists() else {}
    for r in removed: idx.pop(r, None)
    idx[name] = {"methods": list(names), "order": 1 + max((v["order"] for v in idx.values()), default=0)}
    write_json_atomic(p, dict(sorted(idx.items())))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="lidc", help="lidc (validation slices), totalseg, or a path")
    ap.add_argument("--settings", default="8,6,4,arc90")
    ap.add_argument("--methods", default="fbp,tv,dds2d,dds,mbir,blend,blend++")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--slices", default="")
    ap.add_argument("--resolution", type=int, default=128)
    ap.add_argument("--runs", default=str(ROOT / "runs" / "table"))
    ap.add_argument("--csv", default=str(ROOT / "results" / "table.csv"))
    a = ap.parse_args()
    bad = [s for s in a.settings.split(",") if s not in SETTINGS]
    if bad:
        sys.exit(f"--settings: unknown {bad}; allowed: {', '.join(SETTINGS)}")
    figs = ROOT / "results" / "figures"; figs.mkdir(parents=True, exist_ok=True)
    for s in a.settings.split(","):
        metrics, out = run(a.data, s, a.methods, a.steps, a.slices, a.resolution, Path(a.runs))
        names = a.methods.split(",")
        fig = figure_name(Path(a.csv), label(a.data), s, names)
        merge(Path(a.csv), rows_of(a.data, s, metrics))
        shutil.copy(out / "all_methods.png", figs / fig)
        stale = stale_figures(figs, label(a.data), s, names, fig)
        for old in stale:
            old.unlink(); print(f"[table] removed {old.name}: its methods were re-run", flush=True)
        record_figure(figs, fig, names, [f.name for f in stale])
        print(f"[table] {s}: merged into {a.csv}, figure {fig}", flush=True)

if __name__ == "__main__":
    main()
