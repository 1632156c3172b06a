"""2-D 장난감 실험의 도우미: 작은 MLP 쌍, 격자 위의 판별자 값, 표본에 걸리는 기울기, 모드 추적.

3장(모드 붕괴, GAN 실험실)과 6장(LSGAN의 결정 경계)이 함께 쓴다.

    G, D = pair(z_dim=2, hidden=(128, 128))
    xs, ys, vals = eval_grid(D, lim=3.0, n=80)        # (80,), (80,), (80, 80)
    g = sample_grads(D, fakes, gc.losses.g_nonsaturating)   # (N, 2): 손실이 커지는 방향
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import losses as L
from .errors import GanBookError, check_shape
from .metrics.modes import mode_coverage
from .runtime import seed_all
from .train import TrainState, fit_net
from .train import every as train_every

Tensor = torch.Tensor


def pair(
    z_dim: int = 2, hidden: tuple[int, ...] = (128, 128), d_hidden: tuple[int, ...] | None = None
) -> tuple[nn.Module, nn.Module]:
    """2-D 데이터용 MLP 생성자(출력 활성 없음)와 판별자(로짓 출력)의 쌍."""
    from .models import build

    G = build("mlp_g", z_dim=z_dim, out_shape=(2,), hidden=hidden, out_act=None)
    D = build("mlp_d", in_shape=(2,), hidden=d_hidden or hidden)
    return G, D


def _device(m: nn.Module) -> torch.device:
    return next(m.parameters()).device


def grid(lim: float = 3.0, n: int = 60) -> tuple[np.ndarray, np.ndarray, Tensor]:
    """[-lim, lim]² 위의 n×n 격자: 축 좌표 xs, ys (n,)와 점들 (n·n, 2) (행 = y, 열 = x 순서)."""
    if n < 2 or lim <= 0:
        raise GanBookError(f"격자(grid)에는 n ≥ 2, lim > 0이 필요합니다: n={n}, lim={lim}")
    xs = np.linspace(-lim, lim, n)
    gy, gx = np.meshgrid(xs, xs, indexing="ij")  # (n, n): 행이 y
    pts = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1)).float()  # (n·n, 2)
    return xs, xs.copy(), pts


@torch.no_grad()
def eval_grid(
    D: nn.Module, lim: float = 3.0, n: int = 60, transform: Callable[[Tensor], Tensor] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """판별자(또는 비평자)의 출력을 격자 위에서 계산한다: (xs, ys, vals (n, n)), vals[i, j] = D(xs[j], ys[i]).

    transform: 로짓에 씌울 함수 (예: torch.sigmoid → D(x) 확률). imshow(origin='lower')로 그리면 된다.
    """
    xs, ys, pts = grid(lim, n)
    was = D.training
    D.eval()
    out = D(pts.to(_device(D)))  # (n·n,)
    D.train(was)
    if transform is not None:
        out = transform(out)
    return xs, ys, out.float().cpu().numpy().reshape(n, n)


def sample_grads(D: nn.Module, x: Tensor, g_loss: Callable[[Tensor], Tensor]) -> Tensor:
    """표본마다 생성자 손실의 기울기 ∇ₓ ℓ(D(x)) (N, 2).

    g_loss는 평균을 내는 손실이므로 N을 곱해 표본 하나의 손실에 대한 기울기로 되돌린다.
    생성자는 표본을 -∇ₓ 방향으로 옮기려 한다 (GAN 실험실의 화살표).
    """
    check_shape(x, [None, None], "표본(samples)")
    was = D.training
    D.eval()
    xx = x.detach().to(_device(D)).requires_grad_(True)
    (g,) = torch.autograd.grad(g_loss(D(xx)) * len(xx), xx)
    D.train(was)
    return g.detach().cpu()


def generator_grad_norm(
    G: nn.Module, D: nn.Module, z: Tensor, g_loss: Callable[[Tensor], Tensor]
) -> float:
    """생성자 파라미터에 대한 손실 기울기의 L2 노름 ‖∇_θ ℓ(D(G(z)))‖ (기울기 소실 실험용)."""
    G.zero_grad(set_to_none=True)
    loss = g_loss(D(G(z.to(_device(G)))))
    grads = torch.autograd.grad(loss, [p for p in G.parameters() if p.requires_grad])
    return float(torch.sqrt(sum((g.float() ** 2).sum() for g in grads)))


def train_discriminator(
    D: nn.Module,
    real: Tensor,
    fake: Tensor,
    loss: str | L.LossPair = "ns",
    steps: int = 500,
    lr: float = 1e-3,
    *,
    seed: int = 0,
    callback: Callable[[int, nn.Module], None] | None = None,
    every: int = 0,
    progress: bool = False,
) -> list[float]:
    """고정된 진짜/가짜 표본에서 판별자만 전체 배치로 학습한다 (손실 쌍을 고를 수 있는 fit_discriminator).

    every > 0이면 every 단계마다(그리고 0단계에서) callback(단계, D)를 부른다. 돌려주는 값: 단계별 손실.
    """
    if real.shape[1:] != fake.shape[1:]:
        raise GanBookError(
            f"진짜와 가짜 표본의 모양(shape)이 다릅니다: {tuple(real.shape)} vs {tuple(fake.shape)}"
        )
    pair_ = L.get(loss)
    seed_all(seed)
    dev = _device(D)
    real, fake = real.to(dev), fake.detach().to(dev)
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    D.train()
    cbs = []
    if callback is not None and every > 0:
        callback(0, D)
        cbs = [train_every(every, lambda st: callback(st.step, st.nets["net"]), first=False)]
    hist = fit_net(
        D,
        lambda net, _: pair_.d_loss(net(real), net(fake)),
        steps,
        opt=opt,
        log_every=1,
        callbacks=cbs,
        desc="판별자만 학습",
        progress=progress,
    )
    return hist["loss"]


def mode_shares(samples: Tensor, centers: Tensor) -> Tensor:
    """표본마다 가장 가까운 모드 중심을 찾아, 모드별로 몇 %가 모였는지 (K,) (품질은 따지지 않는다).

    모드 붕괴(mode collapse)를 볼 때 쓴다: 한두 모드에 몫이 몰리면 나머지 모드는 버려진 것이다.
    """
    check_shape(samples, [None, centers.shape[1]], "표본(samples)")
    idx = torch.cdist(samples.detach().float().cpu(), centers.float()).argmin(1)  # (N,)
    return torch.bincount(idx, minlength=len(centers)).float() / len(samples)


@dataclass
class ModeTracker:
    """학습 중 every 단계마다 고정된 z로 표본을 뽑아 모드 커버리지(mode coverage)를 기록하는 콜백.

    fit(..., callbacks=[tracker])로 넘긴다.
    records: [{'step', 'modes', 'hq', 'counts', 'shares'}], samples: [(단계, (n, 2))].
    """

    centers: Tensor
    std: float
    every: int = 100
    n: int = 1000
    z_dim: int = 2
    seed: int = 1
    keep_samples: bool = True
    records: list[dict] = field(default_factory=list)
    samples: list[tuple[int, Tensor]] = field(default_factory=list)

    def __call__(self, state: TrainState) -> None:
        if state.step % self.every and state.step != 1:
            return
        from .train import sample

        s = sample(state.G, self.n, self.z_dim, seed=self.seed)  # (n, 2), 매번 같은 z
        m = mode_coverage(s, self.centers, self.std)
        self.records.append({"step": state.step, **m, "shares": mode_shares(s, self.centers)})
        if self.keep_samples:
            self.samples.append((state.step, s))

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(단계 배열, 값 배열): key는 'modes' 또는 'hq'. (shares는 records에서 직접 읽는다)"""
        return (
            np.array([r["step"] for r in self.records]),
            np.array([r[key] for r in self.records], dtype=float),
        )
