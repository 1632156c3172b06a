"""거리 탐색기: 렌더 함수의 값, 화면 없이 만든 위젯, 슬라이더 → 값 갱신."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from gancore import divergences as D  # noqa: E402
from gancore.errors import GanBookError  # noqa: E402
from gancore.widgets import divergence as dw  # noqa: E402


@pytest.mark.parametrize(
    "args",
    [(1.0, 0.5, 0.5, 1, "gauss"), (-2.0, 1.2, 0.3, 2, "gauss"), (0.7, 0.5, 0.8, 2, "box")],
)
def test_render_values_equal_gancore(args):
    fig, values = dw.render_divergences(*args)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    plt.close(fig)
    x, p, q = dw.make_pair(*args)
    ref = D.all_distances(x, p, q)
    assert list(values) == list(dw.NAMES)
    for k in ref:
        assert values[k] == ref[k] or (np.isinf(values[k]) and np.isinf(ref[k]))


def test_pair_matches_independent_densities():
    x = dw.GRID
    _, p, q = dw.make_pair(1.5, 0.8, 0.3, p_modes=2)
    p_ref = D.discretize(0.5 * stats.norm.pdf(x, -2, 0.5) + 0.5 * stats.norm.pdf(x, 2, 0.5), x)
    q_ref = D.discretize(0.3 * stats.norm.pdf(x, -0.5, 0.8) + 0.7 * stats.norm.pdf(x, 3.5, 0.8), x)
    np.testing.assert_allclose(p, p_ref, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(q, q_ref, rtol=1e-9, atol=1e-300)
    # 상자 모양: 폭 w는 표준편차 → 균등분포 U[c - √3w, c + √3w]
    _, p_box, _ = dw.make_pair(0, 0.5, p_modes=1, shape="box")
    mean = (x * p_box).sum()
    assert np.sqrt((x**2 * p_box).sum() - mean**2) == pytest.approx(0.5, rel=1e-2)


def test_identity_and_closed_forms():
    for shape in dw.SHAPES:
        for modes in (1, 2):
            _, p, q = dw.make_pair(0.0, dw.P_WIDTH, 0.5, modes, shape)
            v = D.all_distances(dw.GRID, p, q)
            assert max(v.values()) == pytest.approx(0.0, abs=1e-12)
    # 같은 폭의 가우시안: KL = shift² / (2σ²), W1 = shift
    v = D.all_distances(*dw.make_pair(1.0, 0.5))
    assert v["KL(p‖q)"] == pytest.approx(2.0, rel=1e-6) and v["W1"] == pytest.approx(1.0, rel=1e-6)
    # 상자는 조금만 옮겨도 받침(support)이 어긋나 KL = ∞
    v = D.all_distances(*dw.make_pair(0.2, 0.5, shape="box"))
    assert np.isinf(v["KL(p‖q)"]) and np.isinf(v["KL(q‖p)"]) and v["W1"] == pytest.approx(0.2)


def test_far_gaussian_tails_do_not_give_spurious_infinity():
    _, p, q = dw.make_pair(-4.0, 0.3, 0.0, p_modes=2)
    assert (q > 0).all()
    assert np.isfinite(D.kl(p, q)) and np.isfinite(D.kl(q, p))


def test_sweep_shift_js_saturates_w1_linear():
    shifts = np.array([0.0, 2.0, 4.0, 6.0])
    s = dw.sweep_shift(shifts, 0.5)
    np.testing.assert_allclose(s["W1"], shifts, rtol=1e-6, atol=1e-9)
    assert s["JS"][2] == pytest.approx(np.log(2), abs=1e-3)
    assert s["JS"][3] - s["JS"][2] < 1e-3 < s["JS"][2] - s["JS"][1]


def test_bad_inputs():
    with pytest.raises(GanBookError, match="shape"):
        dw.make_pair(0, 0.5, shape="triangle")
    with pytest.raises(GanBookError, match="width"):
        dw.make_pair(0, 0.0)
    with pytest.raises(GanBookError, match="weight"):
        dw.make_pair(0, 0.5, weight=1.5, p_modes=2)
    with pytest.raises(GanBookError, match="p_modes"):
        dw.make_pair(0, 0.5, p_modes=3)


def _find(box, description):
    stack = [box]
    while stack:
        w = stack.pop()
        if getattr(w, "description", None) == description:
            return w
        stack.extend(getattr(w, "children", ()))
    raise LookupError(description)


def _leaves(box, cls):
    import ipywidgets as W

    out, stack = [], [box]
    while stack:
        w = stack.pop()
        if isinstance(w, getattr(W, cls)):
            out.append(w)
        stack.extend(getattr(w, "children", ()))
    return out


def test_explorer_builds_and_updates_on_slider():
    import ipywidgets as W

    open_before = set(plt.get_fignums())
    box = dw.divergence_explorer(shift=1.0)
    assert isinstance(box, W.VBox)
    (table,) = _leaves(box, "HTML")
    (image,) = _leaves(box, "Image")
    assert "1.0000" in table.value and image.value[:4] == b"\x89PNG"
    before_html, before_png = table.value, image.value

    _find(box, "이동 shift").value = 3.0
    assert table.value != before_html and image.value != before_png
    v = D.all_distances(*dw.make_pair(3.0, 0.5))
    assert dw.fmt(v["W1"]) in table.value and dw.fmt(v["JS"]) in table.value

    _find(box, "모양").value = "box"
    assert "∞" in table.value
    assert set(plt.get_fignums()) == open_before  # 위젯은 자기가 그린 그림을 닫아 둔다
