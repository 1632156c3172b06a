"""2-D 혼합 분포의 모드 커버리지(mode coverage): 몇 개의 모드를 잡았고, 표본이 얼마나 좋은가."""

from __future__ import annotations

import torch

from ..errors import check_shape


def mode_coverage(
    samples: torch.Tensor,
    centers: torch.Tensor,
    std: float,
    *,
    n_sigma: float = 3.0,
    min_share: float = 0.1,
) -> dict[str, float]:
    """표본을 가장 가까운 모드에 배정하고 품질과 커버리지를 잰다.

    - 고품질(high-quality) 표본: 가장 가까운 중심에서 n_sigma·std 안에 든 표본.
    - 모드가 잡혔다(covered): 그 모드의 고품질 표본 수가 공평한 몫(N/K)의 min_share 이상.

    돌려주는 값: {'modes': 포착한 모드 수, 'n_modes': K, 'hq': 고품질 비율, 'counts': 모드별 수}.
    """
    check_shape(samples, [None, centers.shape[1]], "표본(samples)")
    s = samples.detach().float().cpu()
    d = torch.cdist(s, centers.float())  # (N, K)
    dist, idx = d.min(1)
    hq = dist <= n_sigma * std
    counts = torch.bincount(idx[hq], minlength=len(centers))
    need = min_share * len(s) / len(centers)
    return {
        "modes": int((counts >= max(need, 1)).sum()),
        "n_modes": len(centers),
        "hq": hq.float().mean().item(),
        "counts": counts.tolist(),
    }
