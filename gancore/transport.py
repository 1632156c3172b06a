"""최적 수송(optimal transport)과 칸토로비치–루빈시테인 쌍대성(duality)을 작은 선형 계획으로.

두 이산 분포 P = Σ_i p_i δ_{a_i}, Q = Σ_j q_j δ_{b_j} 사이의 바서슈타인-1 거리(W1)를 두 방향에서 푼다.

- 주 문제(primal): min_π Σ π_ij ‖a_i - b_j‖   (π ≥ 0, 행 합 p, 열 합 q)
- 쌍대 문제(dual):  max_f Σ_k f(x_k)(P_k - Q_k)  (f(x_k) - f(x_l) ≤ ‖x_k - x_l‖, 즉 1-립시츠)

둘의 값이 같다는 것이 칸토로비치–루빈시테인 쌍대성이다. 학습된 비평자(critic)와 비교하도록
기울기 벌점(gradient penalty)이나 가중치 클리핑(weight clipping)으로 비평자만 학습하는 `fit_critic`,
립시츠 상수와 층별 기울기 크기를 재는 진단 함수도 둔다.

    res = primal(a, b)          # res.value, res.plan (n, m)
    dual_res = dual(a, b)       # dual_res.value, dual_res.f_a (n,), dual_res.f_b (m,)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import coo_matrix
from torch import nn

from . import losses as L
from .divergences import w1_points
from .errors import GanBookError
from .runtime import seed_all
from .train import fit_net


@dataclass(frozen=True)
class PrimalResult:
    """주 문제의 답: W1 값과 최적 수송 계획(transport plan) π (n, m)."""

    value: float
    plan: np.ndarray


@dataclass(frozen=True)
class DualResult:
    """쌍대 문제의 답: W1 값과 두 점 집합 위의 퍼텐셜(potential) f."""

    value: float
    f_a: np.ndarray  # (n,)  P의 점에서 f 값
    f_b: np.ndarray  # (m,)  Q의 점에서 f 값
    points: np.ndarray  # (n + m, d)  [a; b]

    @property
    def f(self) -> np.ndarray:
        """모든 점 [a; b] 위의 f 값 (n + m,)."""
        return np.concatenate([self.f_a, self.f_b])


def _points(x, what: str) -> np.ndarray:
    """(n,) 또는 (n, d) → (n, d) float64. 1-D 점은 (n, 1)로 본다."""
    x = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0:
        raise GanBookError(
            f"{what}은(는) (n,) 또는 (n, d) 모양의 점 집합(points)이어야 합니다: {x.shape}"
        )
    return x


def _weights(w, n: int, what: str) -> np.ndarray:
    if w is None:
        return np.full(n, 1.0 / n)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n,) or (w < 0).any() or w.sum() <= 0:
        raise GanBookError(
            f"{what}의 가중치(weights)는 길이 {n}의 음이 아닌 벡터여야 합니다: shape {w.shape}"
        )
    return w / w.sum()


def cost_matrix(a, b) -> np.ndarray:
    """유클리드 비용 C_ij = ‖a_i - b_j‖ (n, m)."""
    a, b = _points(a, "a"), _points(b, "b")
    if a.shape[1] != b.shape[1]:
        raise GanBookError(f"a와 b의 차원(dimension)이 다릅니다: {a.shape[1]} vs {b.shape[1]}")
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)


def primal(a, b, wa=None, wb=None) -> PrimalResult:
    """주 문제(primal LP): 수송 비용을 최소화하는 계획 π와 그 비용(= W1)."""
    a, b = _points(a, "a"), _points(b, "b")
    cost_matrix(a, b)  # 차원 검사
    wa, wb = _weights(wa, len(a), "a"), _weights(wb, len(b), "b")
    value, plan = w1_points(a, b, wa, wb)  # 1장의 LP (scipy linprog, HiGHS)
    return PrimalResult(value, plan)


def dual(a, b, wa=None, wb=None) -> DualResult:
    """쌍대 문제(dual LP): max Σ_k f_k (P_k - Q_k)  s.t. f_k - f_l ≤ ‖x_k - x_l‖.

    점 x = [a; b]의 모든 순서쌍에 립시츠 제약을 건다 (N = n + m이면 N(N-1)개).
    f에 상수를 더해도 값이 같으므로 f(x_0) = 0으로 고정한다.
    """
    a, b = _points(a, "a"), _points(b, "b")
    x = np.concatenate([a, b])  # (N, d)
    cost_matrix(a, b)
    mass = np.concatenate([_weights(wa, len(a), "a"), -_weights(wb, len(b), "b")])  # P - Q
    n_pts = len(x)
    d = np.linalg.norm(x[:, None] - x[None], axis=-1)  # (N, N)
    ki, li = np.nonzero(~np.eye(n_pts, dtype=bool))  # 모든 순서쌍 k ≠ l
    rows = np.repeat(np.arange(len(ki)), 2)
    cols = np.stack([ki, li], 1).ravel()
    vals = np.tile([1.0, -1.0], len(ki))
    A = coo_matrix((vals, (rows, cols)), shape=(len(ki), n_pts)).tocsr()  # f_k - f_l
    bounds = [(0.0, 0.0)] + [(None, None)] * (n_pts - 1)
    res = linprog(-mass, A_ub=A, b_ub=d[ki, li], bounds=bounds, method="highs")
    if not res.success:
        raise GanBookError(f"쌍대 문제(dual LP)를 풀지 못했습니다: {res.message}")
    f = res.x
    return DualResult(float(mass @ f), f[: len(a)], f[len(a) :], x)


def w1_assignment(a, b) -> float:
    """같은 수의 균등 가중 점구름 사이의 W1: 최적 수송이 일대일 짝짓기(assignment)가 된다.

    LP보다 훨씬 빨라, 학습 중 생성 표본과 진짜 표본 사이의 '참' W1을 잴 때 쓴다.
    """
    c = cost_matrix(a, b)
    if c.shape[0] != c.shape[1]:
        raise GanBookError(f"w1_assignment는 같은 수의 점이 필요합니다(equal sizes): {c.shape}")
    r, s = linear_sum_assignment(c)
    return float(c[r, s].mean())


def mcshane(points, f) -> callable:
    """점 위의 1-립시츠 값 f를 공간 전체로 넓힌 함수 F(y) = min_k (f_k + ‖y - x_k‖).

    (McShane 확장: F는 어디서나 1-립시츠이고 점 x_k에서는 F(x_k) = f_k.)
    """
    x, f = _points(points, "points"), np.asarray(f, dtype=np.float64)

    def F(y) -> np.ndarray:
        y = _points(y, "y")
        return (f[None, :] + np.linalg.norm(y[:, None] - x[None], axis=-1)).min(1)

    return F


def lipschitz_constant(points, values) -> float:
    """표본 위의 경험적 립시츠 상수 max_{k≠l} |f_k - f_l| / ‖x_k - x_l‖ (같은 점 쌍은 뺀다)."""
    x, v = _points(points, "points"), np.asarray(values, dtype=np.float64).ravel()
    if len(v) != len(x):
        raise GanBookError(f"점 {len(x)}개와 함수값 {len(v)}개의 수가 다릅니다.")
    d = np.linalg.norm(x[:, None] - x[None], axis=-1)
    dv = np.abs(v[:, None] - v[None])
    mask = d > 1e-12
    return float((dv[mask] / d[mask]).max()) if mask.any() else 0.0


def grad_norms(f: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """표본마다 입력에 대한 기울기 크기 ‖∇_x f(x)‖ (B,). 1-립시츠면 모두 ≤ 1."""
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x).sum(), x)
    return g.flatten(1).norm(dim=1)


def layer_grad_norms(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> list[float]:
    """비평자 손실 E[f(fake)] - E[f(real)]의 층별(nn.Linear/Conv 가중치) 기울기 크기, 입력 쪽 층부터."""
    weights = [
        m.weight for m in D.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))
    ]
    if not weights:
        raise GanBookError("층별 기울기를 잴 선형/합성곱 층(layer)이 없습니다.")
    loss = L.d_wgan(D(real), D(fake))
    grads = torch.autograd.grad(loss, weights)
    return [g.norm().item() for g in grads]


def zero_last_layer(D: nn.Module) -> None:
    """마지막 선형/합성곱 층의 가중치와 편향을 0으로: 비평자가 상수 함수 f ≡ 0에서 시작한다."""
    layers = [m for m in D.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    if not layers:
        raise GanBookError("0으로 둘 선형/합성곱 층(layer)이 없습니다.")
    with torch.no_grad():
        layers[-1].weight.zero_()
        if layers[-1].bias is not None:
            layers[-1].bias.zero_()


def fit_critic(
    D: nn.Module,
    real,
    fake,
    *,
    w_real=None,
    w_fake=None,
    steps: int = 500,
    batch_size: int = 64,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.5, 0.9),
    gp_weight: float | None = 10.0,
    clip: float | None = None,
    seed: int = 0,
    zero_init: bool = True,
) -> list[float]:
    """고정된 두 분포(가중 점 집합) 사이에서 비평자만 학습한다.

    손실은 WGAN 비평자 손실 E[f(fake)] - E[f(real)]에 기울기 벌점(gp_weight) 또는
    매 단계 뒤 가중치 클리핑(clip)을 더한다. 돌려주는 값: 단계마다 전체 가중 평균으로 잰
    W1 추정값 Σ w_real f(real) - Σ w_fake f(fake).

    zero_init=True면 마지막 층을 0으로 두어 f ≡ 0에서 시작한다. 기울기 벌점은 기울기의 크기만
    보고 방향은 모르므로, 임의 초기화에서 시작하면 벌점이 먼저 기울기를 '틀린 방향'으로 크기 1까지
    키워 버려 (f(real) < f(fake)인) 나쁜 국소 최적에 갇힐 수 있다 (tests/test_transport.py).
    """
    if (gp_weight is None) == (clip is None):
        raise GanBookError("gp_weight(기울기 벌점)와 clip(가중치 클리핑) 중 정확히 하나를 주세요.")
    seed_all(seed)
    if zero_init:
        zero_last_layer(D)
    xr = torch.as_tensor(_points(real, "real"), dtype=torch.float32)  # (n, d)
    xf = torch.as_tensor(_points(fake, "fake"), dtype=torch.float32)  # (m, d)
    pr = torch.as_tensor(_weights(w_real, len(xr), "real"), dtype=torch.float32)
    pf = torch.as_tensor(_weights(w_fake, len(xf), "fake"), dtype=torch.float32)
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    clipper = L.weight_clipper(clip) if clip is not None else None

    def loss_fn(net: nn.Module, _) -> torch.Tensor:
        r = xr[torch.multinomial(pr, batch_size, replacement=True)]  # (B, d)
        f = xf[torch.multinomial(pf, batch_size, replacement=True)]
        loss = L.d_wgan(net(r), net(f))
        if gp_weight is not None:
            loss = loss + L.gradient_penalty(net, r, f, weight=gp_weight)
        return loss

    est: list[float] = []

    @torch.no_grad()
    def estimate(_state) -> None:  # 갱신마다 전체 가중 평균으로 잰 W1 추정값
        est.append((pr @ D(xr).flatten() - pf @ D(xf).flatten()).item())

    fit_net(
        D,
        loss_fn,
        steps,
        opt=opt,
        log_every=steps,
        after=(lambda: clipper(D)) if clipper is not None else None,
        callbacks=[estimate],
        progress=False,
    )
    if not np.isfinite(est[-1]):
        raise GanBookError("비평자 학습이 발산했습니다(diverged): 학습률을 낮추세요.")
    D.eval()
    return est
