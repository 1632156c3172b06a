"""세 미리 학습 도구(`pretrain_cgan.py`, `pretrain_dcgan.py`, `pretrain_stylegan.py`)가 함께 쓰는 부분.

명령줄(pretrain, --threads, --out, --dry-run, --save-every)과, 체크포인트에 함께 적는 출처(만든 명령, 장치·스레드·
torch·날짜, 책의 평가 규약)를 한 곳에서 만든다. 모델마다 다른 것(레시피, 학습, 측정)은 각 도구에 남는다.
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def command(script: str, argv: list[str]) -> str:
    """체크포인트에 적는, 이 파일을 다시 만드는 명령 (``python tools/<script> …``)."""
    return "python " + " ".join(shlex.quote(a) for a in [f"tools/{script}", *argv])


def provenance(script: str, argv: list[str], seconds: float, device: str) -> dict:
    """체크포인트의 출처 기록: 명령, 학습 시간, 장치·스레드·torch·플랫폼·날짜, 평가 규약(분할, N_EVAL, 시드)."""
    from gancore import metrics

    return {
        "command": command(script, argv),
        "seconds": round(seconds, 1),
        "threads": torch.get_num_threads(),
        "device": device,
        "torch": torch.__version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "split": metrics.TRAIN_SPLIT,
        "n_eval": metrics.N_EVAL,
        "eval_seed": metrics.EVAL_SEED,
    }


def main(
    doc: str,
    default_out: Path,
    pretrain: Callable[[argparse.Namespace, list[str]], Path],
    argv: list[str] | None = None,
    *,
    save_every: bool = True,
) -> Path:
    """명령줄을 읽고 스레드 수를 정한 뒤 ``pretrain(args, argv)``를 부른다. 돌려주는 값: 저장한 경로."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("what", choices=["pretrain"])
    ap.add_argument(
        "--threads", type=int, default=None, help="torch CPU 스레드 수 (주면 CPU에서 학습)"
    )
    if save_every:
        ap.add_argument(
            "--save-every", type=int, default=0, help="이 단계마다 중간 체크포인트를 저장"
        )
    ap.add_argument("--out", type=Path, default=default_out)
    ap.add_argument("--dry-run", action="store_true", help="3단계만, /tmp에 저장")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    return pretrain(args, argv)
