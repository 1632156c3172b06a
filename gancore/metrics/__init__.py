"""평가 지표 레지스트리와 책 전체의 하나뿐인 평가 규약(evaluation protocol). 지표마다 파일 하나.

규약 (2장에서 정의하고 머리말에 요약한다):
- GAN은 mnist5k의 train 분할(`TRAIN_SPLIT`, 4,000장, 숫자마다 400장)로만 학습한다.
- 지표는 생성 표본 `N_EVAL`(1,000)장을, 누구도 학습에 쓰지 않은 test 분할(`REFERENCE_SPLIT`, 1,000장,
  숫자마다 100장)과 견준다. 표본의 잠재 벡터는 시드 `EVAL_SEED`로 뽑는다.
- 심판 분류기(judge)는 train 분할로 학습하고, test 분할에서 정확도를 잰다(`judge_accuracy`).
- 진짜의 기준점은 train에서 고른 `N_EVAL`장을 같은 지표로 잰 값이다(`real_baseline`): 완벽한 생성자가
  받을 점수(표본 수가 같으므로 치우침도 같다).
- 암기 검사: 생성 표본이 train 이미지에 held-out(test) 진짜보다 가까운가(`memorize`).
- 두 방법의 차이가 잡음만큼 작을 수 있으면 시드 `SEEDS` 여럿의 평균 ± 표준편차로 보고한다.

    metrics.evaluate_generator(G, z_dim)     # 규약대로 표본을 뽑아 지표 묶음
    metrics.compute("cfid", samples)         # 심판 분류기 특징 공간의 FID
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..errors import unknown_name
from . import fid, judge, memorization, modes, pr

TRAIN_SPLIT = "train"
REFERENCE_SPLIT = "test"
N_EVAL = 1000
EVAL_SEED = 1
SEEDS = (0, 1, 2)

_REAL_FEATS: dict[str, torch.Tensor] = {}
_SPLITS: dict[str, object] = {}
_BASELINE: dict = {}


def _split(split: str):
    """mnist5k의 한 분할 (DataBundle, 한 번만 읽는다)."""
    if split not in _SPLITS:
        from ..data import load

        _SPLITS[split] = load("mnist5k", split=split)
    return _SPLITS[split]


def images(split: str) -> torch.Tensor:
    """mnist5k의 한 분할의 진짜 이미지 (한 번만 읽는다)."""
    return _split(split).x


def real_features(split: str = REFERENCE_SPLIT) -> torch.Tensor:
    """진짜 이미지의 심판 특징 (기준 분포, 한 번만 계산). 기본은 규약의 기준 집합(test)."""
    if split not in _REAL_FEATS:
        _REAL_FEATS[split] = judge.judge_outputs(images(split))[0]
    return _REAL_FEATS[split]


def cfid(samples: torch.Tensor) -> float:
    """classifier-FID: 심판 분류기의 64차원 특징으로 잰, 기준 집합(test 1,000장)과의 FID."""
    return fid.fid_from_features(real_features(), judge.judge_outputs(samples)[0])


def precision_recall(samples: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """심판 특징 공간에서 기준 집합과 견준 (정밀도, 재현율). 두 쪽을 같은 수로 자른다."""
    return _precision_recall(judge.judge_outputs(samples[: len(real_features())])[0], k)


def _precision_recall(feats: torch.Tensor, k: int = 3) -> tuple[float, float]:
    real = real_features()
    n = min(len(real), len(feats))
    return pr.precision_recall(real[:n], feats[:n], k)


def class_stats(samples: torch.Tensor, confident: float = 0.9) -> dict:
    """심판이 본 클래스 분포: 히스토그램, 확신(max prob ≥ confident) 비율, 나타난 클래스 수."""
    return _class_stats(judge.judge_outputs(samples)[1], confident)


def _class_stats(probs: torch.Tensor, confident: float = 0.9) -> dict:
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


def memorize(samples: torch.Tensor) -> dict:
    """규약의 암기 검사: 생성 표본과 test 진짜의, train 이미지까지 최근접 픽셀 거리 (memorization.py)."""
    return memorization.memorization(samples, images(TRAIN_SPLIT), images(REFERENCE_SPLIT))


def judge_accuracy() -> float:
    """심판 분류기의 held-out 정확도: 학습에 쓰지 않은 test 1,000장에서."""
    test = _split(REFERENCE_SPLIT)
    return judge.accuracy(judge.get_judge(), test.x, test.y)


REGISTRY: dict[str, Callable] = {
    "cfid": cfid,
    "precision_recall": precision_recall,
    "class_stats": class_stats,
    "label_accuracy": label_accuracy,
    "mode_coverage": modes.mode_coverage,
    "memorization": memorize,
}


def compute(name: str, *args, **kwargs):
    """레지스트리의 지표 하나를 이름으로 계산한다."""
    if name not in REGISTRY:
        raise unknown_name("지표(metric)", name, REGISTRY)
    return REGISTRY[name](*args, **kwargs)


def evaluate_mnist(samples: torch.Tensor) -> dict:
    """숫자 이미지 표본의 지표 묶음: cfid, precision, recall, 클래스 통계 (기준 집합: test).

    `cfid`, `precision_recall`, `class_stats`와 같은 값을, 심판을 한 번만 돌려 계산한다."""
    feats, probs = judge.judge_outputs(samples)
    p, r = _precision_recall(feats)
    cs = _class_stats(probs)
    return {
        "cfid": fid.fid_from_features(real_features(), feats),
        "precision": p,
        "recall": r,
        "hist": cs["hist"],
        "confident": cs["confident"],
        "classes": cs["classes"],
        "min_share": cs["min_share"],
        "pred": cs["pred"],
    }


def eval_samples(G: torch.nn.Module, z_dim: int, n: int = N_EVAL, y=None) -> torch.Tensor:
    """규약대로 생성 표본을 뽑는다: n장(기본 N_EVAL), 잠재 벡터의 시드 EVAL_SEED, 평가 모드."""
    from ..train import sample

    return sample(G, n, z_dim, seed=EVAL_SEED, y=y)


def evaluate_generator(G: torch.nn.Module, z_dim: int) -> dict:
    """규약대로 표본을 뽑아(`eval_samples`) `evaluate_mnist`의 지표 묶음을 돌려준다."""
    return evaluate_mnist(eval_samples(G, z_dim))


def real_baseline() -> dict:
    """진짜의 기준점: train에서 고른 N_EVAL장(시드 EVAL_SEED)을 생성 표본처럼 잰 지표 묶음 (한 번만 계산)."""
    if not _BASELINE:
        x = images(TRAIN_SPLIT)
        idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(EVAL_SEED))[:N_EVAL]
        _BASELINE.update(evaluate_mnist(x[idx]))
    return dict(_BASELINE)


def format_mnist(m: dict) -> str:
    """evaluate_mnist 결과를 한 줄로."""
    return (
        f"classifier-FID={m['cfid']:.1f}, 정밀도={m['precision']:.2f}, 재현율={m['recall']:.2f}, "
        f"확신 비율={m['confident']:.2f}, 나온 숫자={m['classes']}/10"
    )
