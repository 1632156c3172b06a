"""평가 지표 레지스트리. 지표마다 파일 하나, 이름으로 부른다.

metrics.compute("cfid", samples)            # 심판 분류기 특징 공간의 FID
metrics.evaluate_mnist(samples)             # 숫자 이미지용 지표 묶음
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..errors import unknown_name
from . import fid, judge, modes, pr

_REAL_FEATS: dict[str, torch.Tensor] = {}


def real_features(split: str = "all") -> torch.Tensor:
    """mnist5k 진짜 이미지의 심판 특징 (기준 분포, 한 번만 계산)."""
    if split not in _REAL_FEATS:
        from ..data import load

        _REAL_FEATS[split] = judge.judge_outputs(load("mnist5k", split=split).x)[0]
    return _REAL_FEATS[split]


def cfid(samples: torch.Tensor) -> float:
    """classifier-FID: 심판 분류기의 64차원 특징으로 잰, 진짜 mnist5k 5000장과의 FID."""
    return fid.fid_from_features(real_features(), judge.judge_outputs(samples)[0])


def precision_recall(samples: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """심판 특징 공간에서의 (정밀도, 재현율). 진짜 쪽은 표본 수만큼 앞에서 자른다."""
    real = real_features()[: len(samples)]
    return pr.precision_recall(real, judge.judge_outputs(samples)[0], k)


def class_stats(samples: torch.Tensor, confident: float = 0.9) -> dict:
    """심판이 본 클래스 분포: 히스토그램, 확신(max prob ≥ confident) 비율, 나타난 클래스 수."""
    probs = judge.judge_outputs(samples)[1]
    conf, pred = probs.max(1)
    hist = torch.bincount(pred, minlength=10)
    return {
        "hist": hist.tolist(),
        "confident": (conf >= confident).float().mean().item(),
        "classes": int((hist > 0).sum()),
        "min_share": (hist.min() / len(pred)).item(),
        "pred": pred,
    }


def label_accuracy(samples: torch.Tensor, labels: torch.Tensor) -> float:
    """조건부 생성: 심판이 요청한 숫자(labels)로 알아본 비율."""
    pred = judge.judge_outputs(samples)[1].argmax(1)
    return (pred == labels.cpu()).float().mean().item()


REGISTRY: dict[str, Callable] = {
    "cfid": cfid,
    "precision_recall": precision_recall,
    "class_stats": class_stats,
    "label_accuracy": label_accuracy,
    "mode_coverage": modes.mode_coverage,
}


def compute(name: str, *args, **kwargs):
    """레지스트리의 지표 하나를 이름으로 계산한다."""
    if name not in REGISTRY:
        raise unknown_name("지표(metric)", name, REGISTRY)
    return REGISTRY[name](*args, **kwargs)


def evaluate_mnist(samples: torch.Tensor) -> dict:
    """숫자 이미지 표본의 지표 묶음: cfid, precision, recall, 클래스 통계."""
    p, r = precision_recall(samples)
    cs = class_stats(samples)
    return {
        "cfid": cfid(samples),
        "precision": p,
        "recall": r,
        "hist": cs["hist"],
        "confident": cs["confident"],
        "classes": cs["classes"],
        "min_share": cs["min_share"],
    }


def format_mnist(m: dict) -> str:
    """evaluate_mnist 결과를 한 줄로."""
    return (
        f"classifier-FID={m['cfid']:.1f}, 정밀도={m['precision']:.2f}, 재현율={m['recall']:.2f}, "
        f"확신 비율={m['confident']:.2f}, 나온 숫자={m['classes']}/10"
    )
