"""GAN 실험실: 화면 없이 묶음 학습, 스냅숏, 렌더 함수, 애니메이션, 위젯 생성."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gancore.errors import GanBookError  # noqa: E402
from gancore.widgets import ganlab as gl  # noqa: E402

TINY = {"hidden": (8,), "batch_size": 16, "n_data": 256}


@pytest.mark.parametrize("loss", list(gl.LAB_LOSSES))
def test_chunk_updates_and_keeps_optimizers(loss):
    st = gl.make_lab(gl.LabConfig.recommended("ring8", loss, **TINY))
    opt_g, w0 = st.opt_g, [p.clone() for p in st.G.parameters()]
    gl.train_chunk(st, 6)
    gl.train_chunk(st, 4)
    assert st.step == 10 and st.chunks == 2 and st.opt_g is opt_g
    assert len(opt_g.state) > 0  # 옵티마이저 상태(모멘트)가 묶음 사이에 이어진다
    assert any(not torch.equal(a, b) for a, b in zip(w0, st.G.parameters()))
    assert st.log["step"][-1] == 10 and st.log["chunk_end"] == [6, 10] and len(st.log["modes"]) == 2
    if loss == "wgan-clip":
        assert max(p.abs().max().item() for p in st.D.parameters()) <= st.cfg.clip + 1e-7
    if loss == "wgan-clip":
        assert isinstance(st.opt_d, torch.optim.RMSprop)


def test_chunks_differ_by_seed_and_are_reproducible():
    a = gl.make_lab(gl.LabConfig(**TINY))
    b = gl.make_lab(gl.LabConfig(**TINY))
    for st in (a, b):
        gl.train_chunk(st, 3)
        gl.train_chunk(st, 3)
    assert all(torch.equal(p, q) for p, q in zip(a.G.parameters(), b.G.parameters()))
    c = gl.make_lab(gl.LabConfig(**TINY))
    gl.train_chunk(c, 6)  # 한 번에 6단계 = 다른 난수열 → 다른 결과
    assert any(not torch.equal(p, q) for p, q in zip(a.G.parameters(), c.G.parameters()))


def test_set_rates_changes_optimizer_lr():
    st = gl.make_lab(gl.LabConfig(**TINY))
    gl.set_rates(st, 1e-4, 3e-3, 2)
    assert st.opt_g.param_groups[0]["lr"] == 1e-4 and st.opt_d.param_groups[0]["lr"] == 3e-3
    assert st.cfg.n_critic == 2


def test_snapshot_values():
    st = gl.make_lab(gl.LabConfig(target="grid25", loss="ns", **TINY))
    f = gl.snapshot(st, n=50, grid_n=11, n_arrows=7)
    assert (
        f.fake.shape == (50, 2) and f.field.shape == (11, 11) and f.xs[0] == -gl.TARGETS["grid25"]
    )
    assert f.arrows.shape == (7, 2) and f.arrow_at.shape == (7, 2)
    assert 0 <= f.field.min() and f.field.max() <= 1  # sigmoid 확률
    assert f.n_modes == 25 and 0 <= f.hq <= 1
    assert f.grad_norm == pytest.approx(np.linalg.norm(f.arrows, axis=1).mean(), rel=1e-5)
    w = gl.snapshot(gl.make_lab(gl.LabConfig(target="swissroll", loss="wgan-gp", **TINY)), grid_n=9)
    assert w.modes is None and abs(w.field.mean()) < 1e-5  # 비평자는 평균을 뺀 값


def test_render_without_display():
    st = gl.make_lab(gl.LabConfig(**TINY))
    fig = gl.render_ganlab(st)  # 학습 전
    assert "0단계" in fig.axes[0].get_title()
    plt.close(fig)
    gl.train_chunk(st, 5)
    fig = gl.render_ganlab(st, n=100, grid_n=20)
    ax = fig.axes[0]
    assert "5단계" in ax.get_title() and "모드" in ax.get_title()
    assert len(ax.collections) >= 3  # 진짜, 가짜, 화살표(quiver)
    assert ax.images[0].get_array().shape == (20, 20)
    plt.close(fig)


def test_animation_and_widget():
    html, st, shots = gl.lab_animation(gl.LabConfig(**TINY), steps=4, frames=2, dpi=40, size=2)
    assert len(shots) == 3 and [s.step for s in shots] == [0, 2, 4] and st.step == 4
    assert "image/jpeg" in html.data and "<script" in html.data
    w = gl.ganlab_widget(gl.LabConfig(**TINY))
    assert len(w.children) == 2
    plt.close("all")


def test_config_errors():
    with pytest.raises(GanBookError, match="target"):
        gl.LabConfig(target="moons")
    with pytest.raises(GanBookError, match=r"loss.*wgan-gp"):
        gl.LabConfig(loss="wgan")
    with pytest.raises(GanBookError, match="learning rate"):
        gl.LabConfig(lr_g=0)
    with pytest.raises(GanBookError, match="loss"):
        gl.LabConfig.recommended(loss="hinge")
    with pytest.raises(GanBookError, match="frames"):
        gl.lab_animation(gl.LabConfig(**TINY), steps=2, frames=3)
