"""The tuning problem the benchmark sweeps share: a run of LIDC validation slices at 128², measured with n views."""
import torch
from diffblend.data import load_lidc
from diffblend.radon import ParallelGeometry
from diffblend.ops import VolumeOperator

def sweep_problem(slices: str, n_views: int, threads: int = 0):
    "(truth (D, 128, 128), operator, sinograms, 'a:b' in validation-slice numbers) for `slices` = 'start:stop' within the 55 validation slices."
    if threads: torch.set_num_threads(threads)
    i0, i1 = (int(v) for v in slices.split(":"))
    vol = load_lidc("val", 128).x[i0:i1]
    op = VolumeOperator(ParallelGeometry(128, n_views), depth=vol.shape[0])
    return vol, op, op(vol), f"{220 + i0}:{220 + i1}"
