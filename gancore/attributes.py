"""숫자 이미지의 모양 속성 재기: 획 굵기(thickness), 기울어짐(slant), 너비(width).

Morpho-MNIST(Castro et al. 2019)의 생각을 28×28에 맞게 줄였다. 이미지는 [-1, 1] 범위의
(N, 1, 28, 28) 텐서(또는 (N, 28, 28) 배열)이고, 0보다 밝은 화소를 잉크(ink)로 본다.

- 굵기: 잉크를 2배로 키워(화소 하나 → 2×2) 뼈대(skeleton, `skimage.morphology.skeletonize`)로 깎고,
  뼈대 위에서 잰 거리 변환(가장 가까운 배경까지의 거리)의 평균 d̄ (원래 화소 단위). 확대한 격자에서
  폭 w인 곧은 획은 폭 2w의 띠이고 그 가운데 거리가 w이므로, 끝부분을 빼면 굵기 w가 나온다.
  (내접원으로 재는 값이라 비스듬한 획은 계단 모양 가장자리 때문에 20–30% 작게 나온다: 절대값보다 비교용.)
- 기울어짐: 밝기로 가중한 중심 모멘트(`skimage.measure.moments_central`) μ로 열 좌표를 행 좌표에
  회귀한 회귀 계수 k = μ₁₁/μ₂₀ (행 r은 아래로 자란다). 기울어짐 각 = atan(−k) (도): 윗부분이
  오른쪽으로 누우면(이탤릭처럼) 양수.
- 너비: 기울어짐을 펴고(deslant) 남은 열 좌표의 분산 σ²로 √(12σ²) (화소). 폭 w인 꽉 찬 막대면 w.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage
from skimage.measure import moments_central
from skimage.morphology import skeletonize

from .errors import GanBookError

NAMES = {"thickness": "굵기", "slant": "기울어짐", "width": "너비"}
UNITS = {"thickness": "화소", "slant": "도", "width": "화소"}


def _as_images(x) -> np.ndarray:
    """(N, 1, H, W) 텐서/배열 또는 (N, H, W), (H, W) → [0, 1] 밝기의 (N, H, W) float64 배열."""
    a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if a.ndim == 4 and a.shape[1] == 1:
        a = a[:, 0]
    elif a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise GanBookError(
            f"이미지는 (N, 1, H, W), (N, H, W) 또는 (H, W) 모양이어야 합니다(image shape): {a.shape}"
        )
    return np.clip((a.astype(np.float64) + 1.0) / 2.0, 0.0, 1.0)  # [-1, 1] → [0, 1]


def thickness(x) -> np.ndarray:
    """획 굵기 (N,) 화소: 2배 확대한 잉크의 뼈대 위 거리 변환 평균. 잉크가 없으면 0."""
    imgs = _as_images(x)
    out = np.zeros(len(imgs))
    for i, img in enumerate(imgs):
        ink = img > 0.5
        if not ink.any():
            continue
        ink2 = np.kron(ink, np.ones((2, 2), dtype=bool))  # 2배 확대: 폭 w인 획 → 폭 2w
        skel = skeletonize(ink2)
        dist = ndimage.distance_transform_edt(ink2)  # 가장 가까운 배경 화소까지의 거리
        # 확대한 격자에서 짝수 폭 2w인 띠의 가운데 거리는 w → 원래 화소로 굵기 w
        out[i] = dist[skel].mean() if skel.any() else 1.0
    return out


def _moments(img: np.ndarray) -> tuple[float, float, float, float]:
    mu = moments_central(img, order=2)  # mu[p, q] = Σ (r − r̄)^p (c − c̄)^q I[r, c]
    return mu[0, 0], mu[2, 0], mu[1, 1], mu[0, 2]


def _per_moments(x, fn) -> np.ndarray:
    """이미지마다 fn(μ₀₀, μ₂₀, μ₁₁, μ₀₂)를 잰 (N,) 배열. 잉크가 없는 이미지는 0."""
    imgs = _as_images(x)
    out = np.zeros(len(imgs))
    for i, img in enumerate(imgs):
        if img.any():
            out[i] = fn(*_moments(img))
    return out


def slant(x) -> np.ndarray:
    """기울어짐 각 (N,) 도: atan(−μ₁₁/μ₂₀). 윗부분이 오른쪽으로 누우면 양수. 잉크가 없으면 0."""

    def angle(m00, m20, m11, _m02):
        return math.degrees(math.atan(-m11 / m20)) if m00 > 0 and m20 > 0 else 0.0

    return _per_moments(x, angle)


def width(x) -> np.ndarray:
    """기울어짐을 편 뒤의 너비 (N,) 화소: √(12·σ²), σ² = (μ₀₂ − μ₁₁²/μ₂₀)/μ₀₀."""

    def deslanted(m00, m20, m11, m02):
        var = (m02 - (m11 * m11 / m20 if m20 > 0 else 0.0)) / m00
        return math.sqrt(12.0 * max(var, 0.0))

    return _per_moments(x, deslanted)


MEASURES = {"thickness": thickness, "slant": slant, "width": width}


def measure(x, names=tuple(MEASURES)) -> dict[str, np.ndarray]:
    """여러 속성을 한 번에: {'thickness': (N,), 'slant': (N,), 'width': (N,)}."""
    bad = [n for n in names if n not in MEASURES]
    if bad:
        from .errors import unknown_name

        raise unknown_name("속성(attribute)", bad[0], MEASURES)
    return {n: MEASURES[n](x) for n in names}
