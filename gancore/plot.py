"""그림 도우미: 이미지 격자, 손실 곡선, 2-D 산점도, 정적 사이트에 넣을 수 있는 애니메이션.

이 모듈을 읽으면 koreanize-matplotlib이 한글 글꼴을 설정한다 (모든 그림의 한글이 보이도록).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import koreanize_matplotlib  # noqa: F401  (한글 글꼴 설정)
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import animation
from matplotlib.ticker import FuncFormatter

from .errors import GanBookError

plt.rcParams["axes.unicode_minus"] = False
plt.rcParams["animation.embed_limit"] = 60  # MB: jshtml 애니메이션의 한도


def plain(v: float) -> str:
    """눈금 값을 평범한 숫자로: 0.001, 30, 1e-08 (위 첨자 10³ 꼴은 한글 글꼴에 글리프가 없을 수 있다)."""
    return f"{v:g}"


def plain_log_ticks(ax, axis: str = "y", minor: Iterable[int] | None = None) -> None:
    """로그 축의 주 눈금을 `plain` 숫자로 쓴다.

    minor: 값을 쓸 보조 눈금의 첫 자리들 (예: (2, 3, 5); 모두면 range(2, 10)). None이면 보조 눈금은 그대로.
    """
    if axis not in ("x", "y"):
        raise GanBookError(f"axis는 'x' 또는 'y'입니다(unknown axis): {axis!r}")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: plain(v)))
    if minor is not None:
        keep = {str(d) for d in minor}
        target.set_minor_formatter(
            FuncFormatter(lambda v, _: plain(v) if f"{v:.0e}"[0] in keep else "")
        )


def image_grid(x: torch.Tensor, nrow: int = 10, pad: int = 2) -> np.ndarray:
    """[-1, 1] 이미지 (N, C, H, W) → 격자 그림 (H', W', C) 넘파이 배열 (torchvision make_grid)."""
    from torchvision.utils import make_grid

    if x.ndim != 4:
        raise GanBookError(
            f"이미지 격자에는 (N, C, H, W) 텐서가 필요합니다(got shape {tuple(x.shape)})."
        )
    grid = make_grid(
        x.detach().float().cpu().clamp(-1, 1),
        nrow=nrow,
        padding=pad,
        normalize=True,
        value_range=(-1, 1),
        pad_value=1.0,
    )
    return grid.permute(1, 2, 0).numpy()


def show_images(
    x: torch.Tensor, nrow: int = 10, title: str | None = None, ax=None, size: float = 0.5
):
    """이미지 격자를 그린다. 돌려주는 값: Axes."""
    img = image_grid(x, nrow)
    if ax is None:
        ncol = min(nrow, len(x))
        nr = int(np.ceil(len(x) / nrow))
        _, ax = plt.subplots(figsize=(max(3, ncol * size), max(1.5, nr * size)))
    ax.imshow(img, cmap="gray" if img.shape[2] == 1 else None)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def loss_curves(history, ax=None, title: str = "학습 곡선"):
    """판별자/생성자 손실과 D(x), D(G(z))를 단계에 따라 그린다.

    오른쪽 축은 기록이 말하는 대로 읽는다: `history.d_output`이 'prob'이면 "진짜일 확률"(0–1, 0.5에 점선),
    'score'이면 확률이 아닌 날 점수(LSGAN·WGAN·힌지)라 범위를 고정하지 않는다.
    """
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10, 3))
    a, b = ax
    a.plot(history.step, history.d_loss, label="판별자 손실")
    a.plot(history.step, history.g_loss, label="생성자 손실")
    a.set_xlabel("생성자 단계")
    a.legend()
    a.set_title(title)
    b.plot(history.step, history.d_real, label="D(x) 평균")
    b.plot(history.step, history.d_fake, label="D(G(z)) 평균")
    if getattr(history, "d_output", "prob") == "prob":
        b.axhline(0.5, color="gray", ls=":", lw=1)
        b.set_ylim(0, 1)
        b.set_ylabel("진짜일 확률 D")
    else:
        b.set_ylabel("판별자 점수 (확률 아님)")
    b.set_xlabel("생성자 단계")
    b.legend()
    return ax


def scatter_2d(
    snapshots: Sequence[tuple[int, torch.Tensor]],
    real: torch.Tensor | None = None,
    lim: float = 3.0,
    ncols: int = 5,
    size: float = 2.4,
):
    """단계별 2-D 표본 스냅숏 [(단계, (N, 2)), …]을 나란히 그린다."""
    n = len(snapshots)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, min(n, ncols), figsize=(size * min(n, ncols), size * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, (step, pts) in zip(axes.flat, snapshots):
        if real is not None:
            ax.scatter(*real[:2000].T, s=2, c="lightgray")
        ax.scatter(*pts.detach().cpu().T, s=2, c="C1")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=f"{step}단계")
    fig.tight_layout()
    return fig


def animate(
    draw: Callable[[object, int], None], n_frames: int, figsize=(4, 4), interval: int = 200
):
    """draw(ax, i)로 i번째 프레임을 그리는 애니메이션을 만든다.

    돌려주는 값: IPython HTML — `to_jshtml`이므로 커널 없는 정적 사이트에서도 재생된다.
    """
    from IPython.display import HTML

    fig, ax = plt.subplots(figsize=figsize)

    def frame(i):
        ax.clear()
        draw(ax, i)

    anim = animation.FuncAnimation(fig, frame, frames=n_frames, interval=interval)
    html = HTML(anim.to_jshtml(default_mode="once"))
    plt.close(fig)
    return html
