"""사진 한 장에 대한 조각(patch) 지표 (SinGAN, 14장): 표본이 학습 이미지를 베꼈는가, 같은 조각들로 되어 있는가.

nearest_patch_distance(x, ref)   # x의 조각마다 ref에서 가장 가까운 조각까지의 화소당 RMS 거리의 평균 (0이면 복사)
patch_fd(x, ref)                 # 조각 분포를 가우시안으로 맞춘 프레셰 거리 (SIFID의 화소판)
blur(ref), shuffle_tiles(ref)    # 비교용 기준점: 흐린 사본, 조각을 섞은 사본
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .fid import frechet_distance, stats


def patches(x: torch.Tensor, k: int) -> torch.Tensor:
    """(B, C, H, W)의 k×k 조각 전부 (보폭 1) → (B·L, C·k·k)."""
    p = F.unfold(x, k)  # (B, C·k·k, L)
    return p.transpose(1, 2).reshape(-1, p.shape[1])


def nearest_patch_distance(x: torch.Tensor, ref: torch.Tensor, k: int = 7) -> float:
    """x의 조각마다 ref에서 가장 가까운 조각까지의 RMS 거리(화소당), 그 평균. 0이면 ref를 오려 붙인 것이다."""
    p, q = patches(x, k), patches(ref, k)  # (N, d), (M, d)
    d2 = torch.cdist(p.double(), q.double()).pow(2).min(1).values / p.shape[1]  # (N,)
    return d2.sqrt().mean().item()


def patch_fd(x: torch.Tensor, ref: torch.Tensor, k: int = 5) -> float:
    """이미지마다 k×k 조각의 분포를 가우시안으로 맞춰 ref와의 프레셰 거리를 재고 평균한다 (SIFID의 화소판)."""
    ref_stats = stats(patches(ref, k))
    return sum(frechet_distance(*stats(patches(xi[None], k)), *ref_stats) for xi in x) / len(x)


def blur(x: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """가우시안 흐림 (반사 패딩): 비교용 '흐린 사본'."""
    r = max(1, math.ceil(3 * sigma))
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    g = torch.exp(-(t**2) / (2 * sigma**2))
    g = g / g.sum()
    c = x.shape[1]
    h = F.conv2d(
        F.pad(x, [r, r, 0, 0], mode="reflect"), g.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c
    )
    return F.conv2d(
        F.pad(h, [0, 0, r, r], mode="reflect"), g.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c
    )


def shuffle_tiles(x: torch.Tensor, tile: int = 8, seed: int = 0) -> torch.Tensor:
    """(1, C, H, W)를 tile×tile 조각으로 잘라 무작위로 섞는다 (남는 가장자리는 잘린다): 비교용 '조각을 섞은 사본'."""
    _, c, h, w = x.shape
    gh, gw = h // tile, w // tile
    t = x[..., : gh * tile, : gw * tile].reshape(c, gh, tile, gw, tile).permute(1, 3, 0, 2, 4)
    t = t.reshape(gh * gw, c, tile, tile)
    t = t[torch.randperm(gh * gw, generator=torch.Generator().manual_seed(seed))]
    t = t.reshape(gh, gw, c, tile, tile).permute(2, 0, 3, 1, 4)
    return t.reshape(1, c, gh * tile, gw * tile)
