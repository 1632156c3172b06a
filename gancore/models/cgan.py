"""조건부 GAN(conditional GAN; Mirza & Osindero 2014): 생성자 G(z|y)와 판별자 D(x|y).

레이블 y를 벡터 c(y)로 바꾼 뒤(원-핫 one-hot 또는 학습되는 임베딩 embedding) 입력에 이어 붙인다
(concatenation). 몸통은 2장의 MLP 그대로다: 바뀌는 것은 입력 차원뿐이다.

    G(z, y) = MLP_G([z ; c(y)])          # (B, z_dim + c) → (B, 1, 28, 28)
    D(x, y) = MLP_D([vec(x) ; c(y)])     # (B, 784 + c)   → 로짓 (B,)

    G = models.build("cgan_g", z_dim=64, cond="embed")
    D = models.build("cgan_d", cond="onehot")
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape, unknown_name
from .mlp import MLPDiscriminator, MLPGenerator

CONDS = ("onehot", "embed")
ARCHS = ("conv", "mlp")


def check_labels(y: torch.Tensor, n_classes: int, n: int | None = None) -> None:
    """레이블 y가 정수형 (B,) 텐서이고 값이 0..n_classes-1 안에 있는지 본다."""
    if not isinstance(y, torch.Tensor) or y.dtype not in (torch.int64, torch.int32, torch.int16):
        raise GanBookError(
            f"레이블(label) y는 정수형 텐서여야 합니다(got {getattr(y, 'dtype', type(y))})."
        )
    check_shape(y, [n], "레이블(label) y")
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise GanBookError(
            f"레이블(label) 값이 범위를 벗어났습니다(out of range): "
            f"[{int(y.min())}, {int(y.max())}], 0..{n_classes - 1} 이어야 합니다."
        )


class LabelCode(nn.Module):
    """레이블 y (B,) → 조건 벡터 c(y) (B, dim).

    - 'onehot': 고정된 원-핫 벡터 e_y (dim = n_classes). 학습되는 것이 없다.
    - 'embed': 학습되는 표 W의 y번째 행 (dim = embed_dim). 원-핫 e_y에 선형층을 곱한 것과 같다.
    """

    def __init__(self, n_classes: int = 10, cond: str = "embed", embed_dim: int = 16):
        super().__init__()
        if cond not in CONDS:
            raise unknown_name("조건 방식(conditioning)", cond, CONDS)
        if n_classes < 2 or embed_dim < 1:
            raise GanBookError(
                f"n_classes ≥ 2, embed_dim ≥ 1이어야 합니다(got {n_classes}, {embed_dim})."
            )
        self.n_classes, self.cond = n_classes, cond
        self.dim = n_classes if cond == "onehot" else embed_dim
        self.table = nn.Embedding(n_classes, embed_dim) if cond == "embed" else None

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        check_labels(y, self.n_classes)
        if self.table is None:
            return F.one_hot(y.long(), self.n_classes).float()  # (B, K)
        return self.table(y.long())  # (B, embed_dim)


class CondGenerator(nn.Module):
    """G(z|y): z (B, z_dim)와 레이블 y (B,) → 이미지 (B, *out_shape), tanh로 [-1, 1]."""

    def __init__(
        self,
        z_dim: int = 64,
        n_classes: int = 10,
        cond: str = "embed",
        embed_dim: int = 16,
        arch: str = "conv",
        ch: int = 32,
        hidden: Sequence[int] = (256, 512),
    ):
        super().__init__()
        if arch not in ARCHS:
            raise unknown_name("구조(architecture)", arch, ARCHS)
        self.z_dim, self.n_classes = z_dim, n_classes
        self.code = LabelCode(n_classes, cond, embed_dim)
        n_in = z_dim + self.code.dim  # 몸통은 조건 없는 생성자 그대로: 입력 차원만 z_dim + c
        if arch == "mlp":
            self.body = MLPGenerator(n_in, (1, 28, 28), hidden, batchnorm=True)
        else:
            self.body = nn.Sequential(
                nn.Linear(n_in, 2 * ch * 7 * 7, bias=False),
                nn.BatchNorm1d(2 * ch * 7 * 7),
                nn.ReLU(),
                nn.Unflatten(1, (2 * ch, 7, 7)),  # (B, 2ch, 7, 7)
                nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1, bias=False),  # (B, ch, 14, 14)
                nn.BatchNorm2d(ch),
                nn.ReLU(),
                nn.ConvTranspose2d(ch, 1, 4, 2, 1),  # (B, 1, 28, 28)
                nn.Tanh(),
            )

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        check_shape(z, [None, self.z_dim], "생성자 입력 z")
        check_labels(y, self.n_classes, len(z))
        h = torch.cat([z, self.code(y)], dim=1)  # (B, z_dim + c): 잠재 벡터 옆에 레이블을 붙인다
        return self.body(h).view(len(z), 1, 28, 28)  # (B, 1, 28, 28)


class CondDiscriminator(nn.Module):
    """D(x|y): 이미지 x (B, *in_shape)와 레이블 y (B,) → 로짓 (B,).

    "이 이미지가 진짜이면서 레이블 y와 맞는가"를 판정한다: 진짜 숫자라도 레이블이 틀리면 가짜 쪽이다.
    """

    def __init__(
        self,
        n_classes: int = 10,
        cond: str = "embed",
        embed_dim: int = 16,
        arch: str = "conv",
        ch: int = 32,
        hidden: Sequence[int] = (512, 256),
        dropout: float = 0.3,
    ):
        super().__init__()
        if arch not in ARCHS:
            raise unknown_name("구조(architecture)", arch, ARCHS)
        self.arch, self.n_classes = arch, n_classes
        self.code = LabelCode(n_classes, cond, embed_dim)
        c = self.code.dim
        if arch == "mlp":
            self.body = MLPDiscriminator((784 + c,), hidden, out_dim=1, dropout=dropout)
        else:
            self.body = nn.Sequential(
                nn.Conv2d(1 + c, ch, 4, 2, 1),  # (B, ch, 14, 14)
                nn.LeakyReLU(0.2),
                nn.Conv2d(ch, 2 * ch, 4, 2, 1),  # (B, 2ch, 7, 7)
                nn.LeakyReLU(0.2),
                nn.Flatten(),
                nn.Dropout(dropout),
                nn.Linear(2 * ch * 7 * 7, 1),  # (B, 1)
                nn.Flatten(0),  # (B,)
            )

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        check_shape(x, [None, 1, 28, 28], "판별자 입력 x")
        check_labels(y, self.n_classes, len(x))
        c = self.code(y)  # (B, c)
        if self.arch == "mlp":
            return self.body(torch.cat([x.flatten(1), c], dim=1))  # (B, 784 + c) → (B,)
        maps = c[:, :, None, None].expand(-1, -1, 28, 28)  # (B, c, 28, 28): 레이블을 채널로 펼친다
        return self.body(torch.cat([x, maps], dim=1))  # (B, 1 + c, 28, 28) → (B,)


def wrong_label_term(n_classes: int = 10, weight: float = 1.0):
    """틀린 레이블 항(matching-aware term; Reed et al. 2016)을 만든다: 트레이너의 `d_reg` 자리에 넣는다.

    진짜 이미지 x에 일부러 틀린 레이블 y' ≠ y를 붙여 가짜 쪽으로 가르친다: weight · E[-log(1 - D(x|y'))].
    판별자가 "진짜 같은가"만이 아니라 "레이블과 맞는가"를 처음부터 배우게 하는 항이다.
    """
    if n_classes < 2 or weight < 0:
        raise GanBookError(f"n_classes ≥ 2, weight ≥ 0이어야 합니다(got {n_classes}, {weight}).")

    def d_reg(
        D: nn.Module, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None
    ) -> torch.Tensor:
        if y is None:
            raise GanBookError(
                "틀린 레이블 항에는 레이블이 필요합니다: fit(..., n_classes=K)로 부르세요."
            )
        # 1..K-1만큼 돌리면 반드시 틀린 레이블이 되고, 틀린 레이블 K-1가지가 고르게 나온다
        shift = torch.randint(1, n_classes, y.shape, device=y.device)  # (B,)
        y_wrong = (y + shift) % n_classes  # (B,)
        return weight * F.softplus(D(real, y_wrong)).mean()  # -log(1 - sigmoid(로짓))

    return d_reg


MODELS = {"cgan_g": CondGenerator, "cgan_d": CondDiscriminator}
