"""개선된 정밀도/재현율(improved precision & recall, Kynkäänniemi et al. 2019).

각 집합의 점마다 k번째 최근접 이웃까지의 거리를 반지름으로 한 공을 그려 '매니폴드'로 삼는다.
- 정밀도(precision): 가짜 표본 중 진짜 매니폴드 안에 드는 비율 — 품질.
- 재현율(recall): 진짜 표본 중 가짜 매니폴드 안에 드는 비율 — 다양성.
"""

from __future__ import annotations

import torch


def _radii(f: torch.Tensor, k: int) -> torch.Tensor:
    d = torch.cdist(f, f)  # (N, N)
    return d.kthvalue(k + 1, dim=1).values  # 자기 자신(거리 0)을 빼고 k번째


def _coverage(manifold: torch.Tensor, radii: torch.Tensor, queries: torch.Tensor) -> float:
    inside = torch.zeros(len(queries), dtype=torch.bool)
    for i in range(0, len(queries), 1000):
        d = torch.cdist(queries[i : i + 1000], manifold)  # (q, N)
        inside[i : i + 1000] = (d <= radii[None, :]).any(1)
    return inside.float().mean().item()


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """진짜/가짜 특징 (N, d), (M, d) → (정밀도, 재현율)."""
    real, fake = real.double(), fake.double()
    precision = _coverage(real, _radii(real, k), fake)
    recall = _coverage(fake, _radii(fake, k), real)
    return precision, recall
