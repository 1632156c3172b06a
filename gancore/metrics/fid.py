"""프레셰 거리(Fréchet distance)와, 심판 분류기 특징 공간에서의 FID("classifier-FID")."""

from __future__ import annotations

import numpy as np
import torch
from scipy import linalg

from ..errors import GanBookError


def frechet_distance(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    """두 가우시안 N(mu1, s1), N(mu2, s2) 사이의 프레셰 거리
    ‖mu1 - mu2‖² + Tr(s1 + s2 - 2 (s1 s2)^{1/2})."""
    covmean = linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():  # 특이 행렬이면 대각에 작은 값을 더해 다시
        eps = np.eye(len(s1)) * 1e-6
        covmean = linalg.sqrtm((s1 + eps) @ (s2 + eps))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def stats(feats: torch.Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """특징 (N, d)의 평균 (d,)과 공분산 (d, d)."""
    f = np.asarray(feats, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise GanBookError(f"특징(features)은 (N≥2, d) 모양이어야 합니다: {f.shape}")
    return f.mean(0), np.cov(f, rowvar=False)


def fid_from_features(real: torch.Tensor, fake: torch.Tensor) -> float:
    """두 특징 집합 사이의 FID."""
    return frechet_distance(*stats(real), *stats(fake))
