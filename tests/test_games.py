"""쌍선형 게임 시뮬레이터: 닫힌 꼴과 비교한다."""

import math

import numpy as np
import pytest

from gancore import games
from gancore.errors import GanBookError


@pytest.mark.parametrize("lr", [0.05, 0.2, 0.5])
@pytest.mark.parametrize("a", [1.0, 2.0])
def test_simultaneous_radius_grows_by_closed_form(lr, a):
    traj = games.simulate(games.bilinear(a), (1.0, 0.5), lr, 50, "simultaneous")
    assert traj.shape == (51, 2) and tuple(traj[0]) == (1.0, 0.5)
    r = games.radius(traj)
    ratio = r[1:] / r[:-1]
    assert np.allclose(ratio, math.sqrt(1 + (a * lr) ** 2), rtol=1e-12)
    assert games.radius_factor(lr, "simultaneous", a) == pytest.approx(math.sqrt(1 + (a * lr) ** 2))


def test_simultaneous_matches_matrix_power():
    # 한 단계는 선형 사상 [[1, -η], [η, 1]]: t단계 = 행렬의 t제곱 (독립 계산)
    lr, t = 0.3, 40
    M = np.array([[1.0, -lr], [lr, 1.0]])
    want = np.linalg.matrix_power(M, t) @ np.array([0.2, -1.0])
    got = games.simulate(games.bilinear(), (0.2, -1.0), lr, t, "simultaneous")[-1]
    assert np.allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("lr", [0.1, 0.5, 1.5])
def test_alternating_conserves_quantity_and_stays_bounded(lr):
    traj = games.simulate(games.bilinear(), (1.0, 0.0), lr, 2000, "alternating")
    q = games.conserved(traj, lr)
    assert np.allclose(q, q[0], rtol=1e-9)
    r = games.radius(traj)
    # 타원 Q = x² + y² - ηxy = Q₀ 위: 반지름² 은 Q₀/(1 + η/2) ~ Q₀/(1 - η/2) 사이
    assert r.max() ** 2 <= q[0] / (1 - lr / 2) + 1e-9
    assert r.min() ** 2 >= q[0] / (1 + lr / 2) - 1e-9
    assert r.max() > r.min()  # 원이 아니라 타원 (η > 0)
    assert not np.allclose(games.conserved(traj, lr + 0.1), q[0])  # 다른 η의 Q는 보존되지 않는다


def test_alternating_first_step_by_hand():
    x, y = games.step(games.bilinear(), 1.0, 2.0, 0.5, "alternating")
    assert (x, y) == (0.0, 2.0)  # x' = 1 - 0.5·2 = 0,  y' = 2 + 0.5·x' = 2
    x, y = games.step(games.bilinear(), 1.0, 2.0, 0.5, "simultaneous")
    assert (x, y) == (0.0, 2.5)


def test_extragradient_contracts():
    lr = 0.3
    traj = games.simulate(games.bilinear(), (1.0, 1.0), lr, 30, "extragradient")
    r = games.radius(traj)
    assert np.allclose(r[1:] / r[:-1], math.sqrt(1 - lr**2 + lr**4))
    assert games.radius_factor(lr, "extragradient") < 1 and r[-1] < r[0]


def test_general_grad_function():
    # f(x, y) = x²/2 - y²/2 (볼록-오목): 동시 경사 하강이 (0, 0)으로 수렴
    traj = games.simulate(lambda x, y: (x, -y), (1.0, 1.0), 0.1, 100)
    assert np.allclose(traj[-1], 0.9**100)


def test_errors():
    g = games.bilinear()
    with pytest.raises(GanBookError, match=r"update mode.*simultaneous"):
        games.simulate(g, (1, 0), 0.1, 10, "adam")
    with pytest.raises(GanBookError, match="learning rate"):
        games.simulate(g, (1, 0), 0.0, 10)
    with pytest.raises(GanBookError, match="conserved"):
        games.radius_factor(0.1, "alternating")
    with pytest.raises(GanBookError, match="update mode"):
        games.step(g, 0.0, 0.0, 0.1, "nope")


def test_running_mean_and_ema_against_direct_formulas():
    traj = games.simulate(games.bilinear(), (1.0, 0.0), 0.2, 300, "alternating")
    avg = games.running_mean(traj)
    np.testing.assert_allclose(avg[10], traj[:11].mean(0), atol=1e-12)
    decay = 0.9
    m = games.ema(traj, decay)
    t = 50  # 닫힌 꼴: m_t = decay^t p_0 + (1 - decay) Σ_{s=1..t} decay^(t-s) p_s
    w = (1 - decay) * decay ** (t - np.arange(1, t + 1))
    direct = decay**t * traj[0] + (w[:, None] * traj[1 : t + 1]).sum(0)
    np.testing.assert_allclose(m[t], direct, atol=1e-12)
    np.testing.assert_allclose(games.ema(traj, 0.0), traj)
    # 원 궤도 위의 EMA는 중심에서 (1 - β)/|1 - β e^{iω}| 쯤에 머문다 (균등 평균은 0으로 간다)
    long = games.simulate(games.bilinear(), (1.0, 0.0), 0.2, 2000, "alternating")
    r_ema = games.radius(games.ema(long, 0.99))[-200:]
    assert 0.03 < r_ema.mean() < 0.08 and games.radius(games.running_mean(long))[-1] < 0.01
    with pytest.raises(GanBookError, match="decay"):
        games.ema(traj, 1.0)
