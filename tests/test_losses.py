"""gancore.losses: 손실 함수의 값과 기울기를 독립 계산(닫힌 식, torch의 BCE)과 비교한다."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import gancore as gc
from gancore.errors import GanBookError

L = gc.losses


def logits():
    return torch.tensor([-30.0, -3.0, -0.5, 0.0, 0.7, 4.0, 30.0])


def test_bce_family_at_zero_logits():
    zero = torch.zeros(5)
    assert math.isclose(L.d_bce(zero, zero).item(), 2 * math.log(2), rel_tol=1e-6)
    assert math.isclose(L.g_nonsaturating(zero).item(), math.log(2), rel_tol=1e-6)
    assert math.isclose(L.g_minimax(zero).item(), -math.log(2), rel_tol=1e-6)


def test_bce_family_matches_torch_bce():
    r, f = logits(), logits().flip(0) * 0.5
    ones, zeros = torch.ones_like(r), torch.zeros_like(f)
    want_d = F.binary_cross_entropy_with_logits(r, ones) + F.binary_cross_entropy_with_logits(
        f, zeros
    )
    assert torch.allclose(L.d_bce(r, f), want_d, atol=1e-6)
    # 비포화: -log D(G(z)) = BCE(logit, 1);  포화: log(1 - D(G(z))) = -BCE(logit, 0)
    assert torch.allclose(L.g_nonsaturating(f), F.binary_cross_entropy_with_logits(f, ones))
    assert torch.allclose(L.g_minimax(f), -F.binary_cross_entropy_with_logits(f, zeros))
    # 로짓이 ±30이어도 유한하다 (softplus 형태의 수치 안정성)
    big = torch.tensor([-100.0, 100.0])
    for v in (L.d_bce(big, big), L.g_minimax(big), L.g_nonsaturating(big)):
        assert torch.isfinite(v)


def test_saturating_vs_nonsaturating_gradient():
    """D가 가짜를 확신할 때(로짓 -10) 포화 손실의 기울기는 거의 0, 비포화는 거의 -1."""
    x = torch.tensor([-10.0], requires_grad=True)
    (g_sat,) = torch.autograd.grad(L.g_minimax(x), x)
    (g_ns,) = torch.autograd.grad(L.g_nonsaturating(x), x)
    s = torch.sigmoid(torch.tensor(-10.0))
    assert torch.allclose(g_sat, -s, rtol=1e-4)  # d/dx log(1 - σ(x)) = -σ(x)
    assert torch.allclose(g_ns, -(1 - s), rtol=1e-4)  # d/dx -log σ(x) = -(1 - σ(x))
    assert g_sat.abs() < 1e-4 < 0.99 < g_ns.abs()


def test_lsgan_values():
    r, f = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    # ½·mean((r-1)²) + ½·mean(f²) = ½·2 + ½·2 = 2
    assert math.isclose(L.d_lsgan(r, f).item(), 2.0)
    # a=-1, b=1: ½·mean([0, 4]) + ½·mean([1, 1]) = 1 + 0.5
    assert math.isclose(L.d_lsgan(r, f, a=-1.0, b=1.0).item(), 1.5)
    assert math.isclose(L.g_lsgan(f).item(), 0.5 * (1 + 9) / 2)
    assert math.isclose(L.g_lsgan(f, c=0.0).item(), 0.5 * (0 + 4) / 2)
    assert L.d_lsgan(torch.ones(3), torch.zeros(3)).item() == 0.0


def test_wgan_and_hinge_values():
    r, f = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    assert math.isclose(L.d_wgan(r, f).item(), (-1.0) - 1.25)  # mean(f) - mean(r)
    assert math.isclose(L.g_wgan(f).item(), 1.0)
    # relu(1 - r) = [0, 0.5] → 0.25;  relu(1 + f) = [0, 1] → 0.5
    assert math.isclose(L.d_hinge(r, f).item(), 0.75)
    # 비평자 손실은 상수 이동에 불변: f → f + 5
    assert math.isclose(L.d_wgan(r + 5, f + 5).item(), L.d_wgan(r, f).item())


class Linear(nn.Module):
    """f(x) = w·vec(x) + b: 기울기가 어디서나 w라서 벌점이 λ(‖w‖ - 1)²로 정확히 알려져 있다."""

    def __init__(self, w: torch.Tensor):
        super().__init__()
        self.w = nn.Parameter(w.clone())
        self.b = nn.Parameter(torch.tensor(0.3))

    def forward(self, x, y=None):
        out = x.flatten(1) @ self.w + self.b
        return out if y is None else out + y.float()


@pytest.mark.parametrize("shape", [(2,), (1, 4, 4)])
def test_gradient_penalty_linear_critic(shape):
    d = math.prod(shape)
    w = torch.linspace(-1, 2, d)
    D = Linear(w)
    real, fake = torch.randn(8, *shape), torch.randn(8, *shape)
    pen = L.gradient_penalty(D, real, fake, weight=10.0)
    want = 10.0 * (w.norm() - 1) ** 2
    assert torch.allclose(pen, want, rtol=1e-5)
    # 벌점은 비평자 파라미터로 미분된다(create_graph): ∂/∂w = 2λ(‖w‖ - 1) w/‖w‖
    (gw,) = torch.autograd.grad(pen, D.w)
    assert torch.allclose(gw, 2 * 10.0 * (w.norm() - 1) * w / w.norm(), rtol=1e-4)
    # 조건부 비평자 D(x, y)도 같은 값 (레이블은 x에 대한 기울기를 바꾸지 않는다)
    cond = torch.arange(8)
    assert torch.allclose(L.gradient_penalty(D, real, fake, cond, weight=3.0), 0.3 * want)


def test_gradient_penalty_unit_norm_is_free():
    w = torch.tensor([0.6, 0.8])  # ‖w‖ = 1
    pen = L.gradient_penalty(Linear(w), torch.randn(4, 2), torch.randn(4, 2))
    assert pen.item() < 1e-10


def test_gradient_penalty_uses_random_interpolates():
    """f(x) = ½‖x‖²이면 ∇f(x̂) = x̂: 벌점이 x̂ = εx + (1-ε)x̃ (표본마다 다른 ε)로 계산되는지 손으로 확인."""

    class Half(nn.Module):
        def forward(self, x):
            return 0.5 * (x**2).flatten(1).sum(1)

    real, fake = torch.randn(6, 3), torch.randn(6, 3)
    torch.manual_seed(7)
    pen = L.gradient_penalty(Half(), real, fake, weight=1.0)
    torch.manual_seed(7)
    eps = torch.rand(6, 1)  # 함수 안에서 처음 뽑는 난수와 같다
    x_hat = eps * real + (1 - eps) * fake
    want = ((x_hat.norm(dim=1) - 1) ** 2).mean()
    assert torch.allclose(pen, want, rtol=1e-5)
    assert len(set(eps.flatten().tolist())) == 6  # 표본마다 다른 ε
    # 진짜(real)만, 가짜(fake)만 쓴 벌점과는 다르다
    assert not torch.allclose(pen, ((real.norm(dim=1) - 1) ** 2).mean())
    assert not torch.allclose(pen, ((fake.norm(dim=1) - 1) ** 2).mean())


def test_gradient_penalty_does_not_touch_generator_graph():
    G = nn.Linear(2, 2)
    D = Linear(torch.tensor([2.0, 0.0]))
    fake = G(torch.randn(5, 2))
    pen = L.gradient_penalty(D, torch.randn(5, 2), fake)
    pen.backward()
    assert G.weight.grad is None  # fake는 detach된다: 벌점은 비평자만 바꾼다
    assert D.w.grad is not None


def test_weight_clipper_clamps_every_parameter():
    torch.manual_seed(0)
    D = gc.models.build("mlp_d", in_shape=(2,), hidden=(16, 16))
    with torch.no_grad():
        for p in D.parameters():
            p.mul_(100)
    before = [p.clone() for p in D.parameters()]
    L.weight_clipper(0.05)(D)
    for p, b in zip(D.parameters(), before):
        assert p.abs().max().item() <= 0.05 + 1e-7
        assert torch.equal(p, b.clamp(-0.05, 0.05))  # 범위 안의 값은 그대로
        assert (p.abs() == 0.05).any()  # 모든 파라미터(편향 포함)가 실제로 잘렸다


def test_registry_and_unknown_name():
    assert set(L.LOSSES) >= {"minimax", "ns", "lsgan", "wgan", "hinge"}
    assert L.get("ns").g_loss is L.g_nonsaturating
    assert L.get("minimax").d_loss is L.d_bce and L.get("minimax").g_loss is L.g_minimax
    assert L.get("wgan").d_loss is L.d_wgan and L.get("hinge").g_loss is L.g_wgan
    pair = L.LossPair("mine", L.d_wgan, L.g_wgan)
    assert L.get(pair) is pair
    with pytest.raises(GanBookError, match=r"unknown 손실\(loss\).*'wasserstein'.*hinge.*wgan"):
        L.get("wasserstein")


def test_register_adds_and_pair_is_frozen():
    pair = L.register(L.LossPair("test_only_pair", L.d_hinge, L.g_wgan))
    try:
        assert L.get("test_only_pair") is pair
        with pytest.raises(AttributeError):
            pair.name = "other"
    finally:
        L.LOSSES.pop("test_only_pair")


def test_gradient_penalty_per_pixel_norm():
    """D(x) = Σ a·x (a가 화소마다 다름)이면 ∇ₓD = a: per_pixel은 화소마다 채널 노름 ‖a[:, i, j]‖로, 기본은 ‖a‖ 하나로 잰다."""
    a = torch.linspace(-1.0, 1.5, 2 * 3 * 4).reshape(2, 3, 4)

    class Dot(nn.Module):
        def forward(self, x):
            return (x * a).flatten(1).sum(1)

    real, fake = torch.randn(5, 2, 3, 4), torch.randn(5, 2, 3, 4)
    pen = L.gradient_penalty(Dot(), real, fake, weight=0.1, per_pixel=True)
    want = 0.1 * ((a.norm(dim=0) - 1) ** 2).mean()
    assert torch.allclose(pen, want, rtol=1e-5)
    whole = L.gradient_penalty(Dot(), real, fake, weight=0.1)
    assert torch.allclose(whole, 0.1 * (a.norm() - 1) ** 2, rtol=1e-5)
    assert not torch.allclose(pen, whole)
