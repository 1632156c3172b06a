"""GAN 손실 함수. 모두 판별자의 날 출력(로짓, logit)을 받는 평범한 함수다.

공통 서명(signature):
    d_loss(real_out, fake_out) -> 스칼라 텐서   # 판별자(discriminator)가 최소화
    g_loss(fake_out)           -> 스칼라 텐서   # 생성자(generator)가 최소화

D(x) = sigmoid(logit)이므로 log D = -softplus(-logit), log(1 - D) = -softplus(logit).
softplus로 쓰면 D가 0이나 1에 붙어도 수치적으로 안정하다.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .errors import unknown_name

Tensor = torch.Tensor


def d_bce(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """판별자의 교차 엔트로피: -[log D(x) + log(1 - D(G(z)))] 의 평균."""
    return F.softplus(-real_out).mean() + F.softplus(fake_out).mean()


def g_minimax(fake_out: Tensor) -> Tensor:
    """포화(saturating) 생성자 손실: log(1 - D(G(z))) 를 최소화 (원 논문의 minimax 식)."""
    return -F.softplus(fake_out).mean()


def g_nonsaturating(fake_out: Tensor) -> Tensor:
    """비포화(non-saturating) 생성자 손실: -log D(G(z)) 를 최소화."""
    return F.softplus(-fake_out).mean()


def d_lsgan(real_out: Tensor, fake_out: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """LSGAN 판별자: ½E[(D(x) - b)²] + ½E[(D(G(z)) - a)²]  (가짜 a, 진짜 b로 부호화)."""
    return 0.5 * ((real_out - b) ** 2).mean() + 0.5 * ((fake_out - a) ** 2).mean()


def g_lsgan(fake_out: Tensor, c: float = 1.0) -> Tensor:
    """LSGAN 생성자: ½E[(D(G(z)) - c)²]  (c: 생성자가 판별자에게 믿게 하려는 값)."""
    return 0.5 * ((fake_out - c) ** 2).mean()


def d_wgan(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """WGAN 비평자(critic): E[f(G(z))] - E[f(x)] 를 최소화 (= W1 추정값을 최대화)."""
    return fake_out.mean() - real_out.mean()


def g_wgan(fake_out: Tensor) -> Tensor:
    """WGAN 생성자: -E[f(G(z))] 를 최소화."""
    return -fake_out.mean()


def d_hinge(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """힌지(hinge) 판별자: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1 - real_out).mean() + F.relu(1 + fake_out).mean()


def gradient_penalty(
    D,
    real: Tensor,
    fake: Tensor,
    cond: Tensor | None = None,
    weight: float = 10.0,
    *,
    per_pixel: bool = False,
) -> Tensor:
    """WGAN-GP의 기울기 벌점: λ E[(‖∇_x̂ D(x̂)‖₂ - 1)²], x̂ = εx + (1-ε)G(z), ε ~ U[0, 1].

    트레이너의 `d_reg` 자리에 그대로 넣을 수 있는 서명(D, real, fake, cond)이다. per_pixel이면 노름을 이미지 전체가
    아니라 화소마다 채널 방향으로 재어 평균한다 (공식 SinGAN 코드의 ``norm(2, dim=1)``).
    """
    eps = torch.rand(len(real), *([1] * (real.ndim - 1)), device=real.device)  # (B, 1, …)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    out = D(x_hat) if cond is None else D(x_hat, cond)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    norm = grad.norm(2, dim=1) if per_pixel else grad.flatten(1).norm(2, dim=1)  # (B, h, w) / (B,)
    return weight * ((norm - 1) ** 2).mean()


def weight_clipper(c: float = 0.01):
    """WGAN의 가중치 클리핑(weight clipping): 트레이너의 `after_d_step`에 넣는 함수를 만든다."""

    @torch.no_grad()
    def clip(D) -> None:
        for p in D.parameters():
            p.clamp_(-c, c)

    return clip


@dataclass(frozen=True)
class LossPair:
    """판별자 손실과 생성자 손실의 한 쌍. 트레이너는 이것 하나만 받는다.

    d_prob: 판별자 출력을 "진짜일 확률"로 읽는 함수. 교차 엔트로피 계열(minimax, ns)은 sigmoid(로짓)이다.
        None이면 출력은 확률이 아닌 점수(score)다 (LSGAN의 목표값, WGAN 비평자의 값, 힌지의 여유):
        기록과 그림은 날 출력의 평균을 그대로 보여 준다.
    """

    name: str
    d_loss: Callable[[Tensor, Tensor], Tensor]
    g_loss: Callable[[Tensor], Tensor]
    d_prob: Callable[[Tensor], Tensor] | None = None


LOSSES: dict[str, LossPair] = {
    "minimax": LossPair("minimax", d_bce, g_minimax, torch.sigmoid),
    "ns": LossPair("ns", d_bce, g_nonsaturating, torch.sigmoid),
    "lsgan": LossPair("lsgan", d_lsgan, g_lsgan),
    "wgan": LossPair("wgan", d_wgan, g_wgan),  # 클리핑(weight_clipper) 또는 gradient_penalty와 함께
    "hinge": LossPair("hinge", d_hinge, g_wgan),
}


def get(name: str | LossPair) -> LossPair:
    """이름('minimax', 'ns', …)이나 LossPair를 받아 LossPair를 돌려준다."""
    if isinstance(name, LossPair):
        return name
    if name not in LOSSES:
        raise unknown_name("손실(loss)", name, LOSSES)
    return LOSSES[name]


def register(pair: LossPair) -> LossPair:
    """새 손실 쌍을 레지스트리에 올린다 (LSGAN, WGAN 등 뒤의 장에서)."""
    LOSSES[pair.name] = pair
    return pair
