"""암기 검사(memorization check): 생성된 표본이 학습 이미지를 베끼는가.

생성 표본마다 학습 이미지 중 가장 가까운 이웃(최근접 이웃, nearest neighbour)까지의 픽셀 L2 거리를 재고,
학습에 쓰지 않은 진짜 이미지(held-out)가 학습 이미지까지 갖는 같은 거리와 견준다. 베끼는 생성자는 학습
이미지에 held-out 진짜보다 훨씬 가깝다(비율 ≪ 1). 새 숫자를 그리는 생성자는 비슷하거나 더 멀다(≈ 1 이상).
"""

from __future__ import annotations

import torch

from ..errors import check_shape


def nn_distances(queries: torch.Tensor, bank: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """이미지 (N, …)마다 bank (M, …)에서 가장 가까운 이웃까지의 L2 거리 (N,)와 그 인덱스 (N,)."""
    q = queries.detach().float().cpu().flatten(1)  # (N, D)
    b = bank.detach().float().cpu().flatten(1)  # (M, D)
    check_shape(q, [None, b.shape[1]], "암기 검사 표본(같은 크기의 이미지)")
    dist, idx = [], []
    for i in range(0, len(q), 500):
        d = torch.cdist(q[i : i + 500], b)  # (n, M)
        m = d.min(1)
        dist.append(m.values)
        idx.append(m.indices)
    return torch.cat(dist), torch.cat(idx)


def memorization(samples: torch.Tensor, train: torch.Tensor, heldout: torch.Tensor) -> dict:
    """생성 표본과 held-out 진짜의, 학습 이미지까지 최근접 거리를 견준다.

    돌려주는 값: {'ratio': 중앙값(생성) / 중앙값(held-out), 'gen_median', 'heldout_median',
    'near_copy': held-out 거리의 1백분위수보다 가까운 생성 표본의 비율 (베낌이 없으면 ≈ 0.01),
    'gen_dist', 'gen_idx'(그림용: 표본마다 가장 가까운 학습 이미지의 인덱스)}.
    """
    d_gen, i_gen = nn_distances(samples, train)
    d_real, _ = nn_distances(heldout, train)
    q01 = torch.quantile(d_real, 0.01)
    return {
        "ratio": (d_gen.median() / d_real.median()).item(),
        "gen_median": d_gen.median().item(),
        "heldout_median": d_real.median().item(),
        "near_copy": (d_gen < q01).float().mean().item(),
        "gen_dist": d_gen,
        "gen_idx": i_gen,
    }
