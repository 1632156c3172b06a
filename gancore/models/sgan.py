"""준지도 GAN(semi-supervised GAN)의 판별자 겸 분류기 (Salimans et al. 2016의 MNIST 구조를 줄인 것).

출력은 K개 클래스의 로짓 l(x) (B, K)이다. "가짜" 클래스의 로짓을 0으로 고정한 (K+1)-클래스 분류기로 읽는다:

    p(y = k | x) = exp l_k / (Z(x) + 1),   p(가짜 | x) = 1 / (Z(x) + 1),   Z(x) = Σ_k exp l_k
    D(x) = 1 - p(가짜 | x) = Z(x) / (Z(x) + 1) = sigmoid(logsumexp_k l_k)

마지막 은닉층의 활성값은 `self.features`에 남겨 둔다 (생성자의 특징 맞추기 feature matching가 읽는다).
생성자는 2장의 `mlp_g`를 그대로 쓴다.

    D = models.build("sgan_d", n_classes=10)
    logits = D(x)            # (B, 10)
    D.features               # (B, 250): 방금 부른 입력의 마지막 은닉 특징
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from ..errors import GanBookError, check_shape


class GaussianNoise(nn.Module):
    """학습 모드에서만 N(0, std²) 잡음을 더한다 (Salimans et al.의 판별자 정규화)."""

    def __init__(self, std: float):
        super().__init__()
        self.std = std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.std > 0:
            return x + self.std * torch.randn_like(x)
        return x


class SGANClassifier(nn.Module):
    """x (B, *in_shape) → K개 로짓 (B, K). 은닉층: 잡음 → Linear(weight norm) → ReLU.

    같은 망을 두 가지로 쓴다: 준지도 GAN의 판별자(진짜 K개 + 가짜 1개), 그리고 레이블만으로
    학습하는 기준선(baseline) 분류기. 구조가 같아야 비교가 공정하다.
    """

    def __init__(
        self,
        n_classes: int = 10,
        in_shape: Sequence[int] = (1, 28, 28),
        hidden: Sequence[int] = (500, 250, 250),
        input_noise: float = 0.3,
        hidden_noise: float = 0.5,
    ):
        super().__init__()
        if n_classes < 2 or not hidden:
            raise GanBookError(
                f"n_classes ≥ 2이고 은닉층(hidden)이 하나 이상이어야 합니다(got {n_classes}, {hidden})."
            )
        self.in_shape, self.n_classes = tuple(in_shape), n_classes
        dims = [math.prod(self.in_shape), *hidden]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            std = input_noise if i == 0 else hidden_noise
            layers += [GaussianNoise(std), weight_norm(nn.Linear(a, b)), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(
            GaussianNoise(hidden_noise), weight_norm(nn.Linear(dims[-1], n_classes))
        )
        self.features: torch.Tensor | None = None
        self.last_logits: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, [None, *self.in_shape], "판별자(분류기) 입력 x")
        h = self.body(x.flatten(1))  # (B, hidden[-1])
        logits = self.head(h)  # (B, K)
        self.features, self.last_logits = h, logits  # 특징 맞추기가 읽는다
        return logits


MODELS = {"sgan_d": SGANClassifier}
