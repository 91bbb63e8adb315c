"Training survives a real SIGKILL (resume continues the same run) and runs data-parallel under torchrun (gloo)."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import torch
from conftest import run, ROOT

TINY = ["--data", "phantom", "--resolution", "32", "--crop", "16", "--batch", "4", "--base", "16", "--mults", "1,2",
        "--n_res", "1", "--patch", "1", "--attn_levels", "1", "--warmup", "5", "--lr", "0.001", "--threads", "1", "--prior", "blend", "--strides", "1,2"]

def train_cmd(out, steps, every):
    return [sys.executable, "-m", "diffblend.train", "--out", str(out), "--steps", str(steps), "--ckpt_every", str(every), *TINY]

def step_of(folder):
    try:
        return json.loads((Path(folder) / "config.json").read_text())["step"]
    except (FileNotFoundError, json.JSONDecodeError):
        return 0

def test_kill_and_resume_continues_the_same_run(tmp_path):
    from diffblend.train import load_prior
    run(train_cmd(tmp_path / "a", 30, 5))                                   # uninterrupted reference
    p = subprocess.Popen(train_cmd(tmp_path / "b", 30, 5), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while step_of(tmp_path / "b") < 10 and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    killed_at = step_of(tmp_path / "b")
    assert 10 <= killed_at < 30, f"the run was not killed mid-way (checkpoint step {killed_at})"
    run(train_cmd(tmp_path / "b", 30, 5))                                   # resume
    assert step_of(tmp_path / "b") == 30
    a, b = load_prior(tmp_path / "a"), load_prior(tmp_path / "b")
    for (n, x), y in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(x, y), f"resumed weights differ at {n}"
    ha = json.loads((tmp_path / "a/config.json").read_text())["history"]
    hb = json.loads((tmp_path / "b/config.json").read_text())["history"]
    assert ha == hb

def test_torchrun_two_cpu_processes(tmp_path):
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "diffblend.train", "--out", str(out), "--steps", "4", "--ckpt_every", "2", *TINY]
    r = run(cmd, env={"OMP_NUM_THREADS": "1"}, timeout=600)
    assert step_of(out) == 4
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    assert len(lines) == 2 and all(l["step"] == 4 for l in lines)     # both ranks finished the same number of steps
