"""두 1-D 분포 사이의 거리 탐색기: KL(p‖q), KL(q‖p), JS, TV, W1을 눈으로.

p는 고정된 분포(봉우리 하나 또는 둘), q는 이동(shift), 폭(width), 혼합 가중치(weight)로 바꾼다.
두 분포는 격자 `GRID` 위의 이산 분포(pmf)로 다루고, 거리는 `gancore.divergences`로 잰다.

- 순수 함수: `make_pair(...)` → (x, p, q), `render_divergences(...)` → (그림, 값),
  `sweep_shift(...)` (이동에 따른 거리 곡선).
- 얇은 래퍼: `divergence_explorer()` (ipywidgets 상자).
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np

from .. import plot as _plot  # noqa: F401  (한글 글꼴 설정)
from ..divergences import all_distances, discretize
from ..errors import GanBookError, unknown_name

GRID = np.linspace(-10.0, 10.0, 2001)  # 간격 0.01
P_WIDTH = 0.5  # p의 봉우리 폭(표준편차)
P_CENTER = 2.0  # 봉우리가 둘일 때 중심 ±2
SHAPES = {"gauss": "가우시안", "box": "상자(균등)"}
NAMES = ("KL(p‖q)", "KL(q‖p)", "JS", "TV", "W1")


def bump_pdf(x: np.ndarray, center: float, width: float, shape: str = "gauss") -> np.ndarray:
    """봉우리 하나의 밀도. width는 표준편차 (상자는 [c - √3·w, c + √3·w] 위의 균등분포)."""
    if shape not in SHAPES:
        raise unknown_name("봉우리 모양(shape)", shape, SHAPES)
    if width <= 0:
        raise GanBookError(f"폭(width)은 0보다 커야 합니다: {width}")
    x = np.asarray(x, dtype=np.float64)
    if shape == "gauss":
        return np.exp(-0.5 * ((x - center) / width) ** 2) / (width * np.sqrt(2 * np.pi))
    half = np.sqrt(3.0) * width
    return (np.abs(x - center) <= half) / (2 * half)


def mixture_pmf(x, centers, width: float, weights, shape: str = "gauss") -> np.ndarray:
    """봉우리들의 혼합 Σ_k w_k·bump_k 를 격자 x 위의 pmf로.

    가우시안의 밀도는 어디서나 양수다. 먼 꼬리에서 float64가 0으로 내려 버린 값은 가장 작은
    양수로 올려, 수치 때문에 KL이 무한대가 되는 일을 막는다 (상자 모양은 진짜 0을 그대로 둔다).
    """
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) != len(centers) or (weights < 0).any() or weights.sum() <= 0:
        raise GanBookError(f"혼합 가중치(mixture weights)가 잘못되었습니다: {weights.tolist()}")
    pdf = sum(w * bump_pdf(x, c, width, shape) for c, w in zip(centers, weights))
    pmf = discretize(pdf, x)
    if shape == "gauss":
        pmf = np.maximum(pmf, np.finfo(np.float64).tiny)
    return pmf


def make_pair(
    shift: float,
    width: float,
    weight: float = 0.5,
    p_modes: int = 1,
    shape: str = "gauss",
    x: np.ndarray = GRID,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, p, q). p: 봉우리 하나(중심 0) 또는 둘(중심 ±2), 폭 0.5, 가중치 반반.

    q: p의 봉우리들을 shift만큼 옮기고 폭을 width로 바꾼 것. 봉우리가 둘이면 왼쪽에
    weight, 오른쪽에 1 - weight의 질량을 준다 (봉우리 하나일 때 weight는 쓰이지 않는다).
    shift=0, width=0.5, weight=0.5이면 q = p.
    """
    if p_modes not in (1, 2):
        raise GanBookError(f"p의 봉우리 수(p_modes)는 1 또는 2여야 합니다: {p_modes}")
    if not 0 <= weight <= 1:
        raise GanBookError(f"혼합 가중치(weight)는 0과 1 사이여야 합니다: {weight}")
    centers = [0.0] if p_modes == 1 else [-P_CENTER, P_CENTER]
    w_p = [1.0] if p_modes == 1 else [0.5, 0.5]
    w_q = [1.0] if p_modes == 1 else [weight, 1 - weight]
    p = mixture_pmf(x, centers, P_WIDTH, w_p, shape)
    q = mixture_pmf(x, [c + shift for c in centers], width, w_q, shape)
    return np.asarray(x, dtype=np.float64), p, q


def fmt(v: float, tex: bool = False) -> str:
    """거리 값 하나를 표에 쓸 문자열로. 무한대는 ∞ (그림 안에서는 tex=True로 수식 기호)."""
    if np.isinf(v):
        return r"$\infty$" if tex else "∞"
    return f"{v:.4f}"


def render_divergences(
    shift: float,
    width: float,
    weight: float = 0.5,
    p_modes: int = 1,
    shape: str = "gauss",
    x: np.ndarray = GRID,
    figsize=(9.0, 3.0),
):
    """두 분포의 밀도(왼쪽)와 누적분포(오른쪽, 사이 넓이 = W1)를 그린다.

    돌려주는 값: (Figure, {"KL(p‖q)", "KL(q‖p)", "JS", "TV", "W1"} → 값).
    """
    x, p, q = make_pair(shift, width, weight, p_modes, shape, x)
    values = all_distances(x, p, q)
    dx = np.gradient(x)
    fig, (a, b) = plt.subplots(1, 2, figsize=figsize)
    a.fill_between(x, p / dx, color="C0", alpha=0.35, label="p (고정)")
    a.fill_between(x, q / dx, color="C1", alpha=0.35, label="q")
    a.plot(x, p / dx, "C0", lw=1)
    a.plot(x, q / dx, "C1", lw=1)
    a.set(xlim=(-8, 8), xlabel="x", ylabel="밀도", title="두 분포")
    a.legend(loc="upper right", fontsize=8)
    text = "\n".join(f"{k} = {fmt(v, tex=True)}" for k, v in values.items())
    box = {"facecolor": "white", "alpha": 0.8, "edgecolor": "none"}
    a.text(0.02, 0.97, text, transform=a.transAxes, va="top", fontsize=8, bbox=box)
    fp, fq = np.cumsum(p), np.cumsum(q)
    b.plot(x, fp, "C0", label="$F_p$")
    b.plot(x, fq, "C1", label="$F_q$")
    b.fill_between(x, fp, fq, color="gray", alpha=0.3, label="넓이 = W1")
    b.set(xlim=(-8, 8), ylim=(-0.02, 1.02), xlabel="x", title="누적분포와 W1")
    b.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, values


def sweep_shift(
    shifts,
    width: float,
    weight: float = 0.5,
    p_modes: int = 1,
    shape: str = "gauss",
    x: np.ndarray = GRID,
) -> dict[str, np.ndarray]:
    """q를 여러 shift로 옮기며 잰 거리 곡선: 이름 → (len(shifts),) 배열."""
    rows = [all_distances(*make_pair(s, width, weight, p_modes, shape, x)) for s in shifts]
    return {k: np.array([r[k] for r in rows]) for k in NAMES}


def _table_html(values: dict[str, float]) -> str:
    cells = "".join(
        f"<tr><td style='padding:0 12px 0 0'>{k}</td><td><b>{fmt(v)}</b></td></tr>"
        for k, v in values.items()
    )
    return f"<table style='font-family:monospace'>{cells}</table>"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def divergence_explorer(
    shift: float = 1.0,
    width: float = 0.5,
    weight: float = 0.5,
    p_modes: int = 1,
    shape: str = "gauss",
):
    """슬라이더로 q를 바꾸며 그림과 거리 값을 다시 그리는 ipywidgets 상자 (VBox)."""
    import ipywidgets as W

    style = {"description_width": "initial"}
    controls = {
        "shift": W.FloatSlider(shift, min=-4, max=4, step=0.1, description="이동 shift"),
        "width": W.FloatSlider(width, min=0.3, max=1.5, step=0.05, description="폭 width"),
        "weight": W.FloatSlider(weight, min=0, max=1, step=0.05, description="왼쪽 가중치 weight"),
        "p_modes": W.Dropdown(
            options=[("봉우리 하나", 1), ("봉우리 둘", 2)], value=p_modes, description="p"
        ),
        "shape": W.Dropdown(
            options=[(v, k) for k, v in SHAPES.items()], value=shape, description="모양"
        ),
    }
    for c in controls.values():
        c.style = style
        if isinstance(c, W.FloatSlider):
            c.continuous_update = False
    image = W.Image(format="png")
    table = W.HTML()

    def update(_=None):
        fig, values = render_divergences(**{k: c.value for k, c in controls.items()})
        image.value = _png(fig)
        table.value = _table_html(values)

    for c in controls.values():
        c.observe(update, names="value")
    update()
    left = W.VBox(list(controls.values()) + [table])
    return W.VBox([left, image])
