"""분포 사이의 거리: KL, JS, 총변동(TV), 바서슈타인-1(W1).

기본 함수는 같은 받침점(support points) 위의 이산 확률(pmf) p, q를 받는다.
연속 분포는 `discretize`로 촘촘한 격자 위의 pmf로 바꿔 쓴다.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from .errors import GanBookError


def _pmfs(p, q) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 1:
        raise GanBookError(
            f"p와 q는 같은 길이의 1차원 확률 벡터(pmf)여야 합니다: {p.shape} vs {q.shape}"
        )
    if not (np.isfinite(p).all() and np.isfinite(q).all()):
        raise GanBookError("확률(probability)에 NaN이나 무한대(inf)가 있습니다.")
    if (p < 0).any() or (q < 0).any() or p.sum() <= 0 or q.sum() <= 0:
        raise GanBookError("확률(probability)은 음수가 될 수 없고 합이 0보다 커야 합니다.")
    return p / p.sum(), q / q.sum()


def kl(p, q) -> float:
    """KL(p‖q) = Σ p log(p/q) (자연로그, nats). p>0인데 q=0인 점이 있으면 무한대."""
    p, q = _pmfs(p, q)
    m = p > 0
    if (q[m] == 0).any():
        return float("inf")
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def js(p, q) -> float:
    """젠슨-섀넌 발산 JS(p, q) = ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2. 항상 ≤ log 2."""
    p, q = _pmfs(p, q)
    m = 0.5 * (p + q)
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def tv(p, q) -> float:
    """총변동 거리(total variation) = ½ Σ abs(p - q) ∈ [0, 1]."""
    p, q = _pmfs(p, q)
    return float(0.5 * np.abs(p - q).sum())


def w1(x, p, q) -> float:
    """1-D 바서슈타인-1(earth mover's) 거리 = ∫ abs(F_p - F_q) dx (누적분포의 차이)."""
    x = np.asarray(x, dtype=np.float64)
    p, q = _pmfs(p, q)
    if x.shape != p.shape:
        raise GanBookError(f"받침점 x의 길이 {x.shape}가 p의 길이 {p.shape}와 다릅니다.")
    order = np.argsort(x)
    x, p, q = x[order], p[order], q[order]
    cdf_gap = np.abs(np.cumsum(p) - np.cumsum(q))[:-1]
    return float(np.sum(cdf_gap * np.diff(x)))


def discretize(pdf: np.ndarray, x: np.ndarray) -> np.ndarray:
    """격자 x 위에서 잰 밀도(density) 값을 합이 1인 pmf로 바꾼다."""
    pdf = np.clip(np.asarray(pdf, dtype=np.float64), 0, None)
    x = np.asarray(x, dtype=np.float64)
    if pdf.shape != x.shape or x.ndim != 1 or len(x) < 2:
        raise GanBookError(
            f"밀도(density) {pdf.shape}와 격자(grid) x {x.shape}는 같은 길이의 1차원이어야 합니다."
        )
    w = pdf * np.gradient(x)
    if not np.isfinite(w).all() or w.sum() <= 0:
        raise GanBookError(
            "격자 위 밀도(density)의 합이 0이거나 유한하지 않아 pmf로 바꿀 수 없습니다."
        )
    return w / w.sum()


def all_distances(x, p, q) -> dict[str, float]:
    """KL(p‖q), KL(q‖p), JS, TV, W1을 한 번에 (위젯과 표에서 쓰는 묶음)."""
    return {
        "KL(p‖q)": kl(p, q),
        "KL(q‖p)": kl(q, p),
        "JS": js(p, q),
        "TV": tv(p, q),
        "W1": w1(x, p, q),
    }


def w1_points(a: np.ndarray, b: np.ndarray, wa=None, wb=None) -> tuple[float, np.ndarray]:
    """d차원 점구름 a (n, d), b (m, d) 사이의 W1을 수송 문제(linear program)로 푼다.

    1차원 배열 (n,)은 직선 위의 점 n개로 본다. wa, wb는 점의 질량 (없으면 균등).

    min_π Σ π_ij ‖a_i - b_j‖  s.t. 행 합 = wa, 열 합 = wb, π ≥ 0.
    돌려주는 값: (거리, 최적 수송 계획 π (n, m)).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a  # (n,) → 1-D 점 n개 (n, 1)
    b = b[:, None] if b.ndim == 1 else b
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise GanBookError(
            f"점구름 a {a.shape}, b {b.shape}는 차원(dimension) d가 같은 (n, d) 배열이어야 합니다."
        )
    n, m = len(a), len(b)
    wa = np.full(n, 1 / n) if wa is None else _pmfs(wa, wa)[0]
    wb = np.full(m, 1 / m) if wb is None else _pmfs(wb, wb)[0]
    if len(wa) != n or len(wb) != m:
        raise GanBookError(
            f"가중치(weights)의 길이 {len(wa)}, {len(wb)}가 점의 수 {n}, {m}와 다릅니다."
        )
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)  # (n, m)
    rows = np.kron(np.eye(n), np.ones(m))  # Σ_j π_ij = wa_i
    cols = np.kron(np.ones(n), np.eye(m))  # Σ_i π_ij = wb_j
    res = linprog(
        cost.ravel(),
        A_eq=np.vstack([rows, cols]),
        b_eq=np.concatenate([wa, wb]),
        bounds=(0, None),
        method="highs",
    )
    if not res.success:
        raise GanBookError(f"수송 문제(transport LP)를 풀지 못했습니다: {res.message}")
    return float(res.fun), res.x.reshape(n, m)


def parallel_lines(theta: float, m: int = 16) -> dict[str, float]:
    """WGAN 논문의 평행선 예: P0 = (0, Z), Pθ = (θ, Z), Z ~ U[0, 1] 을 m개 점으로 근사.

    두 분포를 받침점의 합집합 위 pmf로 놓고 KL, JS, TV를 재고, W1은 2-D 수송 문제로 푼다.
    """
    z = (np.arange(m) + 0.5) / m
    a = np.stack([np.zeros(m), z], 1)
    b = np.stack([np.full(m, theta), z], 1)
    support = np.unique(np.concatenate([a, b]), axis=0)
    idx = {tuple(s): i for i, s in enumerate(support)}
    p = np.zeros(len(support))
    q = np.zeros(len(support))
    for pt in a:
        p[idx[tuple(pt)]] += 1 / m
    for pt in b:
        q[idx[tuple(pt)]] += 1 / m
    return {"KL": kl(p, q), "JS": js(p, q), "TV": tv(p, q), "W1": w1_points(a, b)[0]}
