"""gancore.transport: 주/쌍대 수송 LP가 scipy, 손 계산과 맞는지, 비평자 도우미가 제대로 재는지."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import wasserstein_distance
from torch import nn

import gancore as gc
from gancore import transport as T
from gancore.errors import GanBookError


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_primal_equals_dual_equals_scipy_in_1d(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=6), rng.normal(1.0, 2.0, size=9)
    wa, wb = rng.random(6), rng.random(9)
    want = wasserstein_distance(a, b, wa, wb)
    p, d = T.primal(a, b, wa, wb), T.dual(a, b, wa, wb)
    assert math.isclose(p.value, want, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(d.value, want, rel_tol=1e-7, abs_tol=1e-9)
    # 계획의 주변 분포(marginals)가 가중치와 같다
    assert np.allclose(p.plan.sum(1), wa / wa.sum()) and np.allclose(p.plan.sum(0), wb / wb.sum())
    assert (p.plan >= -1e-12).all()


def test_2d_case_solved_by_hand():
    """P = δ(0,0);  Q = ½δ(3,4) + ½δ(-1,0).  모든 질량이 원점에서 나가므로 W1 = ½·5 + ½·1 = 3."""
    a = np.array([[0.0, 0.0]])
    b = np.array([[3.0, 4.0], [-1.0, 0.0]])
    p = T.primal(a, b)
    assert math.isclose(p.value, 3.0, rel_tol=1e-9)
    assert np.allclose(p.plan, [[0.5, 0.5]])
    d = T.dual(a, b)
    assert math.isclose(d.value, 3.0, rel_tol=1e-9)
    # 최적 f: 원점에서 0이면 Q의 점에서는 -거리 (f(a) - f(b_j) = ‖a - b_j‖로 제약이 빡빡하다)
    assert np.allclose(d.f_a, [0.0]) and np.allclose(d.f_b, [-5.0, -1.0])


def test_2d_square_corners():
    """정사각형의 마주 보는 꼭짓점: P = {(0,0),(1,1)}, Q = {(1,0),(0,1)} 균등 → 모든 점이 거리 1만 움직여 W1 = 1."""
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    b = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert math.isclose(T.primal(a, b).value, 1.0, rel_tol=1e-9)
    assert math.isclose(T.dual(a, b).value, 1.0, rel_tol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_dual_potentials_are_1_lipschitz_and_strong_duality(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(7, 2)), rng.normal(size=(5, 2)) + [2.0, 0.0]
    wa = rng.random(7)
    p, d = T.primal(a, b, wa), T.dual(a, b, wa)
    assert math.isclose(p.value, d.value, rel_tol=1e-7)
    assert d.points.shape == (12, 2) and d.f.shape == (12,)
    assert T.lipschitz_constant(d.points, d.f) <= 1 + 1e-7
    # 상보성: 계획이 질량을 옮기는 쌍에서는 f(a_i) - f(b_j) = ‖a_i - b_j‖
    c = T.cost_matrix(a, b)
    used = p.plan > 1e-9
    assert np.allclose((d.f_a[:, None] - d.f_b[None, :])[used], c[used], atol=1e-7)
    # 평면 전체로 넓힌 McShane 확장도 1-립시츠이고 받침점에서는 값이 같다
    F = T.mcshane(d.points, d.f)
    assert np.allclose(F(d.points), d.f)
    y = rng.normal(size=(200, 2)) * 3
    assert T.lipschitz_constant(y, F(y)) <= 1 + 1e-9


def test_w1_assignment_matches_lp():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(30, 2)), rng.normal(size=(30, 2)) + 1
    assert math.isclose(T.w1_assignment(a, b), T.primal(a, b).value, rel_tol=1e-7)
    assert math.isclose(
        T.w1_assignment(torch.tensor(a), torch.tensor(b)), T.primal(a, b).value, rel_tol=1e-6
    )
    with pytest.raises(GanBookError, match="equal sizes"):
        T.w1_assignment(a, b[:10])


def test_lipschitz_constant_by_hand():
    x = np.array([0.0, 1.0, 3.0])
    assert math.isclose(T.lipschitz_constant(x, [0.0, 2.0, 3.0]), 2.0)
    assert math.isclose(T.lipschitz_constant(x, 0.5 * x), 0.5)
    assert T.lipschitz_constant([[1.0, 1.0], [1.0, 1.0]], [0.0, 5.0]) == 0.0  # 같은 점 쌍은 뺀다
    with pytest.raises(GanBookError, match="함수값"):
        T.lipschitz_constant(x, [1.0, 2.0])


def test_input_errors():
    with pytest.raises(GanBookError, match="dimension"):
        T.primal(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(GanBookError, match="weights"):
        T.dual(np.zeros(2), np.ones(2), wa=[-1.0, 2.0])
    with pytest.raises(GanBookError, match="points"):
        T.primal(np.zeros((2, 2, 2)), np.zeros((2, 2)))


def test_grad_norms_and_layer_grad_norms_on_linear_critic():
    torch.manual_seed(0)
    lin = nn.Linear(3, 1)
    D = nn.Sequential(lin, nn.Flatten(0))  # f(x) = w·x + b → (B,)
    x = torch.randn(10, 3)
    assert torch.allclose(T.grad_norms(D, x), lin.weight.norm().expand(10))
    real, fake = torch.randn(16, 3), torch.randn(16, 3) + 1
    # ∂/∂w (E f(fake) - E f(real)) = mean(fake) - mean(real)
    (norm,) = T.layer_grad_norms(D, real, fake)
    assert math.isclose(norm, (fake.mean(0) - real.mean(0)).norm().item(), rel_tol=1e-5)
    deep = gc.models.build("mlp_d", in_shape=(3,), hidden=(8, 8, 8))
    assert len(T.layer_grad_norms(deep, real, fake)) == 4
    with pytest.raises(GanBookError, match="layer"):
        T.layer_grad_norms(nn.Flatten(0), real, fake)


def small_critic():
    torch.manual_seed(0)
    return gc.models.build("mlp_d", in_shape=(1,), hidden=(32, 32))


def test_fit_critic_with_gradient_penalty_estimates_w1():
    """1-D: P = ½δ(0) + ½δ(1),  Q = δ(3) → W1 = ½·3 + ½·2 = 2.5.

    최적 비평자 g(x) = -x는 보간점이 놓이는 [0, 3] 전체에서 기울기 크기가 1이다. f = s·g로 두면 GP 손실은
    -s·W1 + λ(s - 1)²이고 s* = 1 + W1/(2λ): 부드러운 벌점의 비평자는 W1·(1 + W1/(2λ))로 조금 과대 추정한다.
    """
    real, fake = np.array([0.0, 1.0]), np.array([3.0])
    assert math.isclose(T.primal(real, fake).value, 2.5)
    for lam in (10.0, 100.0):
        D = small_critic()
        est = T.fit_critic(D, real, fake, steps=400, lr=3e-3, batch_size=32, gp_weight=lam)
        assert len(est) == 400
        want = 2.5 * (1 + 2.5 / (2 * lam))  # λ=10: 2.8125, λ=100: 2.53
        late = float(np.mean(est[-50:]))
        assert abs(late - want) < 0.08, (lam, late, want)
        assert est[-1] > est[0] + 2.0  # 학습으로 추정값이 커졌다 (f ≡ 0에서 시작하므로 est[0] ≈ 0)
        # 기울기 크기가 s*에 가깝다
        lip = T.lipschitz_constant(
            np.array([0.0, 1.0, 3.0]), D(torch.tensor([[0.0], [1.0], [3.0]])).detach()
        )
        assert abs(lip - (1 + 2.5 / (2 * lam))) < 0.05, (lam, lip)


def test_gradient_penalty_sign_trap_without_zero_init():
    """벌점은 기울기의 크기만 본다: 이 초기화(시드 0)는 기울기가 '틀린 부호'로 먼저 커져 f(real) < f(fake)에 갇힌다."""
    est = T.fit_critic(
        small_critic(), [0.0, 1.0], [3.0], steps=400, lr=3e-3, batch_size=32, zero_init=False
    )
    assert est[-1] < -1.5, est[-1]
    D = small_critic()
    T.zero_last_layer(D)
    assert torch.equal(D(torch.randn(5, 1)), torch.zeros(5))
    with pytest.raises(GanBookError, match="layer"):
        T.zero_last_layer(nn.Flatten(0))


def test_fit_critic_with_clipping_keeps_weights_small():
    D = small_critic()
    est = T.fit_critic(D, [0.0, 1.0], [3.0], gp_weight=None, clip=0.01, steps=50)
    assert all(p.abs().max().item() <= 0.01 + 1e-7 for p in D.parameters())
    assert 0 < est[-1] < 0.1  # 작은 c의 비평자는 W1(2.5)보다 훨씬 작은 값만 낼 수 있다
    with pytest.raises(GanBookError, match="gp_weight"):
        T.fit_critic(D, [0.0], [1.0], gp_weight=10.0, clip=0.01)
    with pytest.raises(GanBookError, match="gp_weight"):
        T.fit_critic(D, [0.0], [1.0], gp_weight=None)
