"""실행 환경을 한 곳에서 정한다: 장치(device), 시드(seed), 실행 모드(quick/full).

- 모드: 환경 변수 `GANBOOK_MODE`(quick|full)가 있으면 그것, 없으면 GPU가 있을 때 full, 아니면 quick.
- 장치: cuda → mps → cpu 순서.
"""

from __future__ import annotations

import os
import random
from typing import TypeVar

from .errors import GanBookError

MODES = ("quick", "full")
T = TypeVar("T")


def device():
    """쓸 수 있는 가장 빠른 장치(torch.device): cuda → mps → cpu."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def mode() -> str:
    """현재 실행 모드 'quick' 또는 'full'."""
    env = os.environ.get("GANBOOK_MODE", "").strip().lower()
    if env:
        if env not in MODES:
            raise GanBookError(
                f"GANBOOK_MODE 값이 잘못되었습니다(invalid mode): {env!r}. 'quick' 또는 'full'만 됩니다."
            )
        return env
    return "full" if device().type == "cuda" else "quick"


def choose(quick: T, full: T) -> T:
    """현재 모드에 맞는 값(보통 설정 dataclass)을 고른다."""
    return full if mode() == "full" else quick


def seed_all(seed: int) -> None:
    """python, numpy, torch의 난수 시드를 고정한다."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def describe() -> str:
    """장치와 모드를 한 줄로: 학습 셀 위에 찍어 두면 독자가 무엇이 돌았는지 안다."""
    import torch

    return f"모드={mode()}, 장치={device()}, torch={torch.__version__}, 스레드={torch.get_num_threads()}"
