"""잠재 공간(latent space) 다루기: 보간, 걷기, 속성 벡터와 벡터 산술.

- 선형 보간(lerp): z(t) = (1 − t)·z₀ + t·z₁.
- 구면 선형 보간(slerp, Shoemake 1985; White 2016): 두 벡터가 이루는 각 ω를 따라 돈다.
  z(t) = sin((1 − t)ω)/sin ω · z₀ + sin(tω)/sin ω · z₁.
  표준정규 z는 거의 모두 반지름 √d 근처의 껍질에 있으므로, lerp의 가운데(노름이 약 √(d/2))는
  생성자가 학습 때 거의 본 적 없는 곳이다. slerp는 노름을 그 껍질 위에 둔다.
- 속성 벡터(attribute vector): 어떤 속성 점수가 높은 표본들의 평균 z에서 낮은 표본들의 평균 z를 뺀 것.

    zs = interpolate(z0, z1, 9, method="slerp")          # (9, d)
    v = attribute_vector(z, thickness, q=0.2)            # (d,)
    z_new = shift(z, v, alphas=[-2, 0, 2])               # (3, N, d)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .errors import GanBookError, check_shape, unknown_name

METHODS = ("lerp", "slerp")


def _as_t(t, like: torch.Tensor) -> torch.Tensor:
    t = torch.as_tensor(t, dtype=like.dtype, device=like.device)
    if t.ndim > 1:
        raise GanBookError(
            f"t는 스칼라나 1차원 텐서여야 합니다(t must be a scalar or 1-D): {tuple(t.shape)}"
        )
    return t


def _check_pair(z0: torch.Tensor, z1: torch.Tensor) -> None:
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise GanBookError(
            "두 잠재 벡터(latent vector)는 같은 길이의 1차원 텐서여야 합니다: "
            f"{tuple(z0.shape)}, {tuple(z1.shape)}"
        )


def lerp(z0: torch.Tensor, z1: torch.Tensor, t) -> torch.Tensor:
    """선형 보간(lerp). z0, z1: (d,), t: 스칼라 → (d,) 또는 (T,) → (T, d)."""
    _check_pair(z0, z1)
    t = _as_t(t, z0)
    tt = t[:, None] if t.ndim == 1 else t
    return (1 - tt) * z0 + tt * z1


def slerp(z0: torch.Tensor, z1: torch.Tensor, t, eps: float = 1e-7) -> torch.Tensor:
    """구면 선형 보간(slerp). 두 벡터가 거의 평행하면(sin ω ≈ 0) lerp로 대신한다.

    z0, z1: (d,), t: 스칼라 → (d,) 또는 (T,) → (T, d). 노름이 같은 두 끝점이면 경로 위의 노름도 같다.
    """
    _check_pair(z0, z1)
    t = _as_t(t, z0)
    tt = t[:, None] if t.ndim == 1 else t
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(eps)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))  # 두 벡터 사이의 각
    so = torch.sin(omega)
    if so.abs() < 1e-6:  # 평행: 원호가 선분과 같다
        return lerp(z0, z1, t)
    return torch.sin((1 - tt) * omega) / so * z0 + torch.sin(tt * omega) / so * z1


def interpolate(
    z0: torch.Tensor, z1: torch.Tensor, n: int = 9, method: str = "slerp"
) -> torch.Tensor:
    """z0에서 z1까지 같은 간격의 t로 n개: (n, d). method는 'lerp' 또는 'slerp'."""
    if method not in METHODS:
        raise unknown_name("보간 방법(interpolation method)", method, METHODS)
    if n < 2:
        raise GanBookError(f"보간 점의 수(n)는 2 이상이어야 합니다: {n}")
    t = torch.linspace(0, 1, n, dtype=z0.dtype)
    return (slerp if method == "slerp" else lerp)(z0, z1, t)


def walk(
    keys: torch.Tensor, steps: int = 8, method: str = "slerp", loop: bool = True
) -> torch.Tensor:
    """잠재 공간 걷기(latent walk): 열쇠 벡터 keys (K, d)를 차례로 잇는 경로 (K·steps, d).

    구간마다 끝점을 빼고 steps개씩 잇는다. loop면 마지막에서 처음으로 돌아와 영상이 끊김 없이 돈다.
    """
    check_shape(keys, [None, None], "열쇠 벡터 keys")
    if len(keys) < 2:
        raise GanBookError("걷기(walk)에는 열쇠 벡터가 2개 이상 필요합니다.")
    if steps < 1:
        raise GanBookError(f"steps는 1 이상이어야 합니다: {steps}")
    ends = list(range(len(keys))) + ([0] if loop else [])
    path = [interpolate(keys[a], keys[b], steps + 1, method)[:-1] for a, b in zip(ends, ends[1:])]
    if not loop:
        path.append(keys[-1:])
    return torch.cat(path)


def random_latents(n: int, z_dim: int, seed: int = 0) -> torch.Tensor:
    """시드를 고정한 표준정규 잠재 벡터 (n, z_dim) — `train.sample`과 같은 생성 순서."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, z_dim, generator=gen)


def attribute_vector(z: torch.Tensor, scores, q: float = 0.2) -> torch.Tensor:
    """속성 벡터 v = mean(z | 점수 상위 q) − mean(z | 점수 하위 q). z: (N, d), scores: (N,) → (d,)."""
    check_shape(z, [None, None], "잠재 벡터 z")
    s = torch.as_tensor(scores, dtype=torch.float64).flatten()
    if len(s) != len(z):
        raise GanBookError(f"점수(scores) {len(s)}개와 잠재 벡터 {len(z)}개의 수가 다릅니다.")
    if not 0 < q <= 0.5:
        raise GanBookError(f"분위(quantile) q는 (0, 0.5] 안이어야 합니다: {q}")
    k = max(1, int(round(q * len(z))))
    order = torch.argsort(s)
    return z[order[-k:]].mean(0) - z[order[:k]].mean(0)


def shift(z: torch.Tensor, v: torch.Tensor, alphas: Sequence[float] | torch.Tensor) -> torch.Tensor:
    """z (N, d)에 α·v를 더한다: 돌려주는 값 (A, N, d), A = len(alphas)."""
    check_shape(z, [None, len(v)], "잠재 벡터 z")
    a = torch.as_tensor(alphas, dtype=z.dtype).flatten()
    return z[None] + a[:, None, None] * v[None, None]


def arithmetic(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """벡터 산술 A − B + C ('안경 쓴 남자 − 남자 + 여자'). 여러 표본의 평균을 넣어도 된다."""
    if not (a.shape == b.shape == c.shape):
        raise GanBookError(
            f"A, B, C의 모양이 같아야 합니다(shape mismatch): {tuple(a.shape)}, {tuple(b.shape)}, {tuple(c.shape)}"
        )
    return a - b + c
