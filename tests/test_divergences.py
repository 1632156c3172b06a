"""분포 사이의 거리: scipy와 닫힌 꼴(closed form), 손으로 풀 수 있는 수송 문제와 비교한다."""

import itertools

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import jensenshannon

from gancore import divergences as dv
from gancore.errors import GanBookError

LOG2 = np.log(2.0)


def _rand_pmfs(seed: int, n: int = 12, zeros: bool = False):
    rng = np.random.default_rng(seed)
    p, q = rng.random(n), rng.random(n)
    if zeros:
        p[rng.choice(n, 3, replace=False)] = 0.0
    return p * 3.7, q * 0.2  # 정규화되지 않은 입력도 받는다


@pytest.mark.parametrize("seed", range(4))
def test_kl_matches_scipy_entropy(seed):
    p, q = _rand_pmfs(seed, zeros=seed % 2 == 1)
    assert dv.kl(p, q) == pytest.approx(stats.entropy(p, q), rel=1e-12, abs=1e-14)
    assert dv.kl(q, p) == pytest.approx(stats.entropy(q, p), rel=1e-12, abs=1e-14)
    assert dv.kl(p, p) == pytest.approx(0.0, abs=1e-14)


def test_kl_is_asymmetric_and_infinite_off_support():
    p, q = [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]
    assert np.isinf(dv.kl(q, p)) and np.isinf(stats.entropy(q, p))  # q에 질량이 있는데 p=0
    assert dv.kl(p, q) == pytest.approx(LOG2)  # 반대 방향은 유한
    a, b = [0.9, 0.1], [0.5, 0.5]
    assert dv.kl(a, b) != pytest.approx(dv.kl(b, a), rel=1e-3)


@pytest.mark.parametrize("seed", range(4))
def test_js_matches_scipy_jensenshannon(seed):
    p, q = _rand_pmfs(seed, zeros=seed % 2 == 0)
    ref = jensenshannon(p, q) ** 2  # scipy는 제곱근(거리)을 돌려준다; 밑은 e
    assert dv.js(p, q) == pytest.approx(ref, rel=1e-10)
    # 독립 계산: 혼합의 엔트로피 - 엔트로피의 평균
    pn, qn = p / p.sum(), q / q.sum()
    h = stats.entropy(0.5 * (pn + qn)) - 0.5 * (stats.entropy(pn) + stats.entropy(qn))
    assert dv.js(p, q) == pytest.approx(h, rel=1e-10)
    assert dv.js(p, q) == pytest.approx(dv.js(q, p), rel=1e-12)
    assert 0 <= dv.js(p, q) <= LOG2


def test_js_is_log2_exactly_for_disjoint_supports():
    p, q = [0.2, 0.8, 0.0, 0.0], [0.0, 0.0, 0.6, 0.4]
    assert dv.js(p, q) == pytest.approx(LOG2, abs=1e-14)
    assert dv.tv(p, q) == pytest.approx(1.0)
    assert np.isinf(dv.kl(p, q)) and np.isinf(dv.kl(q, p))


@pytest.mark.parametrize("seed", range(3))
def test_tv_is_sup_over_events(seed):
    p, q = _rand_pmfs(seed, n=8)
    pn, qn = p / p.sum(), q / q.sum()
    sup = max(
        abs(pn[list(A)].sum() - qn[list(A)].sum())
        for r in range(9)
        for A in itertools.combinations(range(8), r)
    )
    assert dv.tv(p, q) == pytest.approx(sup, rel=1e-12)
    assert 0 <= dv.tv(p, q) <= 1


@pytest.mark.parametrize("seed", range(4))
def test_w1_matches_scipy_with_unsorted_support(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=15) * 3  # 정렬되지 않은 받침점
    p, q = _rand_pmfs(seed, n=15, zeros=True)
    ref = stats.wasserstein_distance(x, x, p, q)
    assert dv.w1(x, p, q) == pytest.approx(ref, rel=1e-10)
    assert dv.w1(x, p, q) == pytest.approx(dv.w1(x, q, p), rel=1e-12)


def test_w1_with_different_supports_on_union():
    u, v = np.array([0.0, 2.0, 5.0]), np.array([1.0, 4.0])
    wu, wv = np.array([0.2, 0.5, 0.3]), np.array([0.6, 0.4])
    x = np.concatenate([u, v])
    p, q = np.concatenate([wu, 0 * wv]), np.concatenate([0 * wu, wv])
    ref = stats.wasserstein_distance(u, v, wu, wv)
    assert dv.w1(x, p, q) == pytest.approx(ref, rel=1e-10)
    assert dv.w1_points(u, v, wu, wv)[0] == pytest.approx(ref, rel=1e-7)


def test_discretize_gaussian_kl_matches_closed_form():
    x = np.linspace(-12, 12, 4001)
    for (m1, s1), (m2, s2) in [((0, 1), (1, 2)), ((0.5, 0.7), (-1, 1.3)), ((0, 1), (0, 1))]:
        p = dv.discretize(stats.norm.pdf(x, m1, s1), x)
        q = dv.discretize(stats.norm.pdf(x, m2, s2), x)
        closed = np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
        assert dv.kl(p, q) == pytest.approx(closed, abs=1e-6)
        assert p.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("shift", [0.3, 1.0, 2.5])
def test_w1_of_shifted_copy_is_the_shift(shift):
    x = np.linspace(-10, 10, 2001)
    p = dv.discretize(stats.norm.pdf(x, 0, 0.8), x)
    q = dv.discretize(stats.norm.pdf(x, shift, 0.8), x)
    assert dv.w1(x, p, q) == pytest.approx(shift, rel=1e-6)
    # 같은 이동에서 JS는 log 2를 넘지 않는다
    assert dv.js(p, q) < LOG2


def test_all_distances_keys_and_values():
    x = np.arange(5.0)
    p, q = np.array([1, 2, 3, 0, 0.0]), np.array([0, 1, 1, 1, 1.0])
    d = dv.all_distances(x, p, q)
    assert list(d) == ["KL(p‖q)", "KL(q‖p)", "JS", "TV", "W1"]
    assert np.isinf(d["KL(q‖p)"]) and d["KL(p‖q)"] == pytest.approx(stats.entropy(p, q))
    assert d["W1"] == pytest.approx(stats.wasserstein_distance(x, x, p, q))


@pytest.mark.parametrize("seed", range(3))
def test_w1_points_1d_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=7), rng.normal(1.0, 2.0, size=5)
    wa, wb = rng.random(7), rng.random(5)
    value, plan = dv.w1_points(a, b, wa, wb)
    assert value == pytest.approx(stats.wasserstein_distance(a, b, wa, wb), rel=1e-7)
    assert plan.shape == (7, 5) and (plan >= -1e-12).all()
    np.testing.assert_allclose(plan.sum(1), wa / wa.sum(), atol=1e-9)
    np.testing.assert_allclose(plan.sum(0), wb / wb.sum(), atol=1e-9)
    # (n,)과 (n, 1)은 같은 뜻이다
    assert dv.w1_points(a[:, None], b[:, None], wa, wb)[0] == pytest.approx(value, rel=1e-9)


def test_w1_points_hand_solved_2d():
    # 정사각형의 왼쪽 변 → 오른쪽 변: 각 점이 수평으로 1만큼 움직인다
    a = np.array([[0.0, 0.0], [0.0, 1.0]])
    b = np.array([[1.0, 0.0], [1.0, 1.0]])
    value, plan = dv.w1_points(a, b)
    assert value == pytest.approx(1.0)
    np.testing.assert_allclose(plan, [[0.5, 0.0], [0.0, 0.5]], atol=1e-9)
    # 질량 1을 (0,0)에서 (3,4)로: 거리 5
    assert dv.w1_points([[0.0, 0.0]], [[3.0, 4.0]])[0] == pytest.approx(5.0)
    # 한 더미(질량 1)를 양쪽 구덩이 둘(각 ½)로 나눈다: ½·1 + ½·2
    value, plan = dv.w1_points([[0.0, 0.0]], [[1.0, 0.0], [0.0, 2.0]])
    assert value == pytest.approx(1.5) and plan == pytest.approx(np.array([[0.5, 0.5]]))


def test_w1_points_matches_assignment_for_uniform_weights():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 2)), rng.normal(0.5, 1.0, size=(6, 2))
    cost = np.linalg.norm(a[:, None] - b[None], axis=-1)
    r, c = linear_sum_assignment(cost)  # 균등 질량이면 최적 계획은 순열 (Birkhoff)
    assert dv.w1_points(a, b)[0] == pytest.approx(cost[r, c].mean(), rel=1e-7)


@pytest.mark.parametrize("theta", [-1.0, -0.3, 0.05, 0.5, 2.0])
@pytest.mark.parametrize("m", [4, 16])
def test_parallel_lines(theta, m):
    d = dv.parallel_lines(theta, m=m)
    assert np.isinf(d["KL"])
    assert d["JS"] == pytest.approx(LOG2, abs=1e-12)
    assert d["TV"] == pytest.approx(1.0)
    assert d["W1"] == pytest.approx(abs(theta), rel=1e-7)


def test_parallel_lines_at_zero():
    d = dv.parallel_lines(0.0)
    assert d == pytest.approx({"KL": 0.0, "JS": 0.0, "TV": 0.0, "W1": 0.0}, abs=1e-12)


def test_errors():
    with pytest.raises(GanBookError, match="같은 길이"):
        dv.kl([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(GanBookError, match="음수"):
        dv.js([0.5, -0.1, 0.6], [0.2, 0.3, 0.5])
    with pytest.raises(GanBookError, match="음수"):
        dv.tv([0, 0, 0], [0.2, 0.3, 0.5])  # 합이 0
    with pytest.raises(GanBookError, match="NaN"):
        dv.kl([0.5, np.nan], [0.5, 0.5])
    with pytest.raises(GanBookError, match="받침점"):
        dv.w1([0.0, 1.0], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5])
    with pytest.raises(GanBookError, match="weights"):
        dv.w1_points([0.0, 1.0], [2.0], wa=[0.5, 0.3, 0.2])
    with pytest.raises(GanBookError, match="dimension"):
        dv.w1_points(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(GanBookError, match="density"):
        dv.discretize(np.zeros(5), np.arange(5.0))
    with pytest.raises(GanBookError, match="grid"):
        dv.discretize(np.ones(4), np.arange(5.0))
