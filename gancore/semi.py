"""준지도 학습 GAN(SGAN; Odena 2016, Salimans et al. 2016)의 손실과, 공정한 비교를 위한 기준선 학습.

판별자는 K개 로짓 l(x)를 내는 분류기다. "가짜" 클래스의 로짓을 0으로 두면 (K+1)-클래스 softmax에서

    D(x) = 1 - p(가짜 | x) = Z / (Z + 1) = sigmoid(g(x)),   g(x) = logsumexp_k l_k(x)

이므로 GAN 부분은 "로짓 g(x)에 대한 평범한 교차 엔트로피"가 된다 (`gan_logit`, `d_sgan`).
레이블이 있는 부분은 K개 로짓에 대한 교차 엔트로피로, 트레이너의 `d_reg` 자리에 들어간다 (`supervised_term`).

    D = models.build("sgan_d"); G = models.build("mlp_g", z_dim=64, hidden=(500, 500), batchnorm=True)
    pair = sgan_loss(D, x_unlabeled)            # 생성자는 특징 맞추기
    fit(G, D, unlabeled_loader, cfg, loss=pair, d_reg=supervised_term(x_lab, y_lab))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .errors import GanBookError, check_shape
from .losses import LossPair, d_bce, g_nonsaturating
from .runtime import seed_all
from .train import fit_net

Tensor = torch.Tensor


def gan_logit(logits: Tensor) -> Tensor:
    """K개 로짓 (B, K) → "진짜"의 로짓 g = logsumexp_k l_k (B,). D(x) = sigmoid(g)."""
    if logits.ndim != 2:
        raise GanBookError(f"로짓(logits)은 (B, K) 모양이어야 합니다(got {tuple(logits.shape)}).")
    return torch.logsumexp(logits, dim=1)


def d_sgan(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """비지도 판별자 손실: -E log D(x) - E log(1 - D(G(z))), D = Z/(Z+1) (레이블 없는 x)."""
    return d_bce(gan_logit(real_out), gan_logit(fake_out))


def g_sgan(fake_out: Tensor) -> Tensor:
    """비포화 생성자 손실 -E log D(G(z)), D = Z/(Z+1)."""
    return g_nonsaturating(gan_logit(fake_out))


def d_prob_sgan(logits: Tensor) -> Tensor:
    """판별자 출력 (B, K)를 "진짜일 확률" D(x) = sigmoid(logsumexp_k l_k)로 읽는다 (기록용)."""
    return torch.sigmoid(gan_logit(logits))


def _cycle(x: Tensor, y: Tensor | None, batch_size: int, seed: int):
    """x(와 y)에서 무작위 미니배치를 끝없이 뽑는다 (자체 난수 생성기로, 시드 고정)."""
    if batch_size > len(x):
        raise GanBookError(f"배치 크기(batch size) {batch_size}가 데이터 수 {len(x)}보다 큽니다.")
    gen = torch.Generator().manual_seed(seed)
    while True:
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x) - batch_size + 1, batch_size):
            idx = perm[i : i + batch_size]
            yield x[idx], (None if y is None else y[idx])


def feature_matching(D: nn.Module, x_real: Tensor, batch_size: int = 100, seed: int = 1):
    """특징 맞추기(feature matching) 생성자 손실 ‖E f(x) − E f(G(z))‖² (특징마다 평균)을 만든다.

    f는 판별자의 마지막 은닉층 (`D.features`). 돌려주는 함수는 LossPair의 g_loss 자리에 들어간다:
    트레이너가 방금 D(G(z))를 불렀으므로 `D.features`가 가짜의 특징이다. 진짜 쪽은 x_real에서
    새 미니배치를 뽑아 지금의 D로 잰다 (기울기 없이).
    """
    batches = _cycle(x_real, None, batch_size, seed)

    def g_loss(fake_out: Tensor) -> Tensor:
        if getattr(D, "last_logits", None) is not fake_out:
            raise GanBookError(
                "특징 맞추기(feature matching)는 방금 부른 판별자 D의 특징을 씁니다: "
                "g_loss에는 D(G(z))의 출력을 그대로 넘기세요."
            )
        f_fake = D.features  # (B, F), G까지 기울기가 흐른다
        x, _ = next(batches)
        with torch.no_grad():
            D(x.to(fake_out.device))
            f_real = D.features  # (b, F)
        return ((f_real.mean(0) - f_fake.mean(0)) ** 2).mean()

    return g_loss


def sgan_loss(
    D: nn.Module | None = None,
    x_real: Tensor | None = None,
    *,
    feature_matching_g: bool = True,
    batch_size: int = 100,
    seed: int = 1,
) -> LossPair:
    """SGAN의 손실 쌍: 판별자는 `d_sgan`, 생성자는 특징 맞추기(기본) 또는 비포화 손실 `g_sgan`."""
    if not feature_matching_g:
        return LossPair("sgan", d_sgan, g_sgan, d_prob_sgan)
    if D is None or x_real is None:
        raise GanBookError(
            "특징 맞추기(feature matching)에는 판별자 D와 진짜 이미지 x_real이 필요합니다."
        )
    return LossPair("sgan_fm", d_sgan, feature_matching(D, x_real, batch_size, seed), d_prob_sgan)


def supervised_term(
    x: Tensor, y: Tensor, batch_size: int = 100, weight: float = 1.0, seed: int = 2
) -> Callable[..., Tensor]:
    """레이블 있는 항 weight · E[-log p(y | x, y < K+1)] (K개 로짓의 교차 엔트로피)을 만든다.

    트레이너의 `d_reg(D, real, fake, cond)` 서명이다: 부를 때마다 (x, y)에서 새 미니배치를 뽑는다.
    """
    _check_labeled(x, y)
    batches = _cycle(x, y, min(batch_size, len(x)), seed)

    def d_reg(D: nn.Module, real: Tensor, fake: Tensor, cond: Tensor | None = None) -> Tensor:
        xb, yb = next(batches)
        return weight * F.cross_entropy(D(xb.to(real.device)), yb.to(real.device))

    return d_reg


def _check_labeled(x: Tensor, y: Tensor) -> None:
    check_shape(y, [len(x)], "레이블(label) y")
    if y.dtype != torch.int64:
        raise GanBookError(f"레이블(label) y는 int64 텐서여야 합니다(got {y.dtype}).")


def label_subset(y: Tensor, per_class: int, seed: int = 0) -> Tensor:
    """클래스마다 per_class개씩 고른 인덱스 (K·per_class,). 시드가 같으면 같은 것을 고른다."""
    if per_class < 1:
        raise GanBookError(f"per_class는 1 이상이어야 합니다(got {per_class}).")
    check_shape(y, [None], "레이블(label) y")
    gen = torch.Generator().manual_seed(seed)
    idx = []
    for k in torch.unique(y).tolist():
        pool = torch.nonzero(y == k).flatten()
        if len(pool) < per_class:
            raise GanBookError(
                f"클래스(class) {k}의 표본이 {len(pool)}개뿐입니다: {per_class}개를 고를 수 없습니다."
            )
        idx.append(pool[torch.randperm(len(pool), generator=gen)[:per_class]])
    return torch.cat(idx)


def train_classifier(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    steps: int,
    *,
    batch_size: int = 100,
    lr: float = 2e-4,
    betas: tuple[float, float] = (0.5, 0.999),
    seed: int = 0,
    progress: bool = True,
    callbacks: Sequence[Callable[[int, nn.Module], None]] = (),
) -> list[float]:
    """레이블만으로 분류기를 학습하는 기준선(baseline): Adam, 교차 엔트로피, steps번 갱신.

    SGAN 판별자와 같은 옵티마이저·배치 크기·갱신 횟수로 부르면 비교가 공정하다. 돌려주는 값: 단계별 손실.
    callbacks: 갱신마다 (단계, 모델)을 받는 함수들 (예: 몇 단계마다 test 정확도 기록).
    """
    _check_labeled(x, y)
    seed_all(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=betas)
    batches = _cycle(x, y, min(batch_size, len(x)), seed)

    def loss_fn(net: nn.Module, batch) -> Tensor:
        xb, yb = batch
        return F.cross_entropy(net(xb), yb)

    hist = fit_net(
        model,
        loss_fn,
        steps,
        data=batches,
        opt=opt,
        log_every=1,
        callbacks=[lambda st, cb=cb: cb(st.step, st.nets["net"]) for cb in callbacks],
        desc="기준선 분류기 학습",
        progress=progress,
    )
    return hist["loss"]


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor, per_class: bool = False):
    """평가 모드에서의 분류 정확도. per_class면 (전체, 클래스별 리스트)."""
    _check_labeled(x, y)
    was = model.training
    model.eval()
    dev = next(model.parameters()).device
    pred = torch.cat(
        [model(x[i : i + 1000].to(dev)).argmax(1).cpu() for i in range(0, len(x), 1000)]
    )
    model.train(was)
    acc = (pred == y).float().mean().item()
    if not per_class:
        return acc
    return acc, [(pred[y == k] == k).float().mean().item() for k in range(int(y.max()) + 1)]
