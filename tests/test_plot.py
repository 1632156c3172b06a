"""그림 도우미: 한글 글꼴, 격자, 곡선, 애니메이션."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

import gancore as gc  # noqa: E402
from gancore.errors import GanBookError  # noqa: E402


def test_korean_font_is_set():
    gc.plot  # noqa: B018  (가져오면 설정된다)
    family = plt.rcParams["font.family"][0]
    path = font_manager.findfont(family, fallback_to_default=False)
    from matplotlib.ft2font import FT2Font

    assert FT2Font(path).get_char_index(ord("생")) != 0  # 글꼴에 한글 글리프가 있다


def test_image_grid_range_and_shape():
    x = torch.linspace(-1, 1, 4 * 28 * 28).view(4, 1, 28, 28)
    g = gc.plot.image_grid(x, nrow=2, pad=2)
    assert g.shape == (2 * 30 + 2, 2 * 30 + 2, 3) and 0 <= g.min() and g.max() <= 1
    with pytest.raises(GanBookError, match="N, C, H, W"):
        gc.plot.image_grid(torch.zeros(28, 28))
    ax = gc.plot.show_images(x, nrow=2, title="표본")
    assert ax.get_title() == "표본"
    plt.close("all")


def test_loss_curves_and_scatter():
    h = gc.train.History(
        step=[1, 2],
        d_loss=[1, 0.5],
        g_loss=[0.7, 0.9],
        d_real=[0.6, 0.7],
        d_fake=[0.4, 0.3],
        time=[0, 1],
    )
    ax = gc.plot.loss_curves(h)
    assert len(ax[0].lines) == 2
    fig = gc.plot.scatter_2d(
        [(1, torch.zeros(5, 2)), (2, torch.ones(5, 2))], real=torch.randn(10, 2)
    )
    assert fig.axes[1].get_title() == "2단계"
    plt.close("all")


def test_animate_is_jshtml():
    html = gc.plot.animate(lambda ax, i: ax.plot([0, i]), n_frames=3)
    assert "<script" in html.data and "animation" in html.data.lower()
    assert np.isfinite(len(html.data))


def test_plain_log_ticks_writes_plain_numbers():
    """plain_log_ticks: 주 눈금은 0.001·30 꼴, 보조 눈금은 고른 첫 자리만, 모르는 축은 거절."""
    fig, ax = plt.subplots()
    ax.set_yscale("log")
    gc.plot.plain_log_ticks(ax, "y", minor=(2, 3, 5))
    major, minor = ax.yaxis.get_major_formatter(), ax.yaxis.get_minor_formatter()
    assert [major(v) for v in (0.001, 30.0, 1e-8)] == ["0.001", "30", "1e-08"]
    assert [minor(v) for v in (2.0, 30.0, 400.0, 0.05, 7.0)] == ["2", "30", "", "0.05", ""]
    gc.plot.plain_log_ticks(ax, "x")  # 보조 눈금은 건드리지 않는다
    assert not isinstance(ax.xaxis.get_minor_formatter(), FuncFormatter)
    with pytest.raises(GanBookError, match="unknown axis"):
        gc.plot.plain_log_ticks(ax, "z")
    plt.close(fig)
