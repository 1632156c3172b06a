"""완전연결(MLP) 생성자와 판별자: 2장의 고전 GAN과 1-D/2-D 장난감 실험에 쓴다."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..errors import check_shape


class MLPGenerator(nn.Module):
    """z (B, z_dim) → x (B, *out_shape). 은닉층은 Linear–(BatchNorm)–LeakyReLU(0.2), 출력은 tanh 또는 없음.

    batchnorm=True면 은닉층마다 배치 정규화를 넣는다: 이미지 MLP GAN이 훨씬 빨리 숫자 모양에 이른다.
    """

    def __init__(
        self,
        z_dim: int = 64,
        out_shape: Sequence[int] = (1, 28, 28),
        hidden: Sequence[int] = (256, 512),
        out_act: str | None = "tanh",
        batchnorm: bool = False,
    ):
        super().__init__()
        self.z_dim, self.out_shape = z_dim, tuple(out_shape)
        dims = [z_dim, *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers.append(nn.Linear(a, b))
            if batchnorm:
                layers.append(nn.BatchNorm1d(b))
            layers.append(nn.LeakyReLU(0.2))
        layers.append(nn.Linear(dims[-1], math.prod(self.out_shape)))
        if out_act == "tanh":
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_shape(z, [None, self.z_dim], "생성자 입력 z")
        return self.net(z).view(len(z), *self.out_shape)  # (B, *out_shape)


class MLPDiscriminator(nn.Module):
    """x (B, *in_shape) → 로짓 (B,) 또는 (B, out_dim). 은닉층은 Linear–LeakyReLU(0.2).

    sigmoid는 손실 함수 안에 있으므로 출력은 날 로짓(logit)이다 — 비평자(critic)로도 그대로 쓴다.
    """

    def __init__(
        self,
        in_shape: Sequence[int] = (1, 28, 28),
        hidden: Sequence[int] = (512, 256),
        out_dim: int = 1,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.in_shape, self.out_dim = tuple(in_shape), out_dim
        dims = [math.prod(self.in_shape), *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(dims[-1], out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, [None, *self.in_shape], "판별자 입력 x")
        out = self.net(x.flatten(1))  # (B, out_dim)
        return out.squeeze(1) if self.out_dim == 1 else out


MODELS = {"mlp_g": MLPGenerator, "mlp_d": MLPDiscriminator}
