"""2-D 도우미: 격자, 표본 기울기, 생성자 기울기 노름, 판별자만 학습, 모드 추적."""

import numpy as np
import pytest
import torch
from torch import nn

import gancore as gc
from gancore import toy
from gancore.errors import GanBookError
from gancore.train import TrainConfig


class Linear2(nn.Module):
    """D(x) = w·x + b: 기울기를 손으로 계산할 수 있는 판별자."""

    def __init__(self, w=(1.0, -2.0), b=0.5):
        super().__init__()
        self.lin = nn.Linear(2, 1)
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([w]))
            self.lin.bias.fill_(b)

    def forward(self, x):
        return self.lin(x).squeeze(1)


def test_pair_shapes():
    G, D = toy.pair(z_dim=3, hidden=(8,), d_hidden=(5, 4))
    x = G(torch.randn(7, 3))
    assert x.shape == (7, 2) and D(x).shape == (7,)
    assert D.net[0].out_features == 5 and G.net[0].out_features == 8


def test_grid_layout_and_values():
    xs, ys, pts = toy.grid(lim=2.0, n=5)
    assert xs.shape == ys.shape == (5,) and pts.shape == (25, 2)
    assert np.allclose(xs, [-2, -1, 0, 1, 2])
    D = Linear2()
    xs, ys, vals = toy.eval_grid(D, lim=2.0, n=5)
    assert vals.shape == (5, 5)
    # vals[i, j] = D(xs[j], ys[i]) = xs[j] - 2 ys[i] + 0.5 (행 = y)
    want = xs[None, :] - 2 * ys[:, None] + 0.5
    assert np.allclose(vals, want, atol=1e-6)
    _, _, p = toy.eval_grid(D, lim=2.0, n=5, transform=torch.sigmoid)
    assert np.allclose(p, 1 / (1 + np.exp(-want)), atol=1e-6)
    with pytest.raises(GanBookError, match="grid"):
        toy.grid(lim=1.0, n=1)


def test_sample_grads_closed_form():
    D = Linear2(w=(1.0, -2.0), b=0.5)
    x = torch.tensor([[0.0, 0.0], [3.0, -1.0], [-4.0, 0.0]])
    w = torch.tensor([1.0, -2.0])
    s = D(x).detach()
    # 비포화: ℓ = softplus(-s) → ∇ₓℓ = -(1 - σ(s)) w
    g = toy.sample_grads(D, x, gc.losses.g_nonsaturating)
    assert torch.allclose(g, -(1 - torch.sigmoid(s))[:, None] * w, atol=1e-6)
    # 포화(minimax): ℓ = -softplus(s) → ∇ₓℓ = -σ(s) w
    g = toy.sample_grads(D, x, gc.losses.g_minimax)
    assert torch.allclose(g, -torch.sigmoid(s)[:, None] * w, atol=1e-6)
    # LSGAN: ℓ = ½(s - c)² → ∇ₓℓ = (s - c) w
    g = toy.sample_grads(D, x, gc.losses.g_lsgan)
    assert torch.allclose(g, (s - 1)[:, None] * w, atol=1e-6)
    with pytest.raises(GanBookError, match="tensor shape"):
        toy.sample_grads(D, torch.zeros(3), gc.losses.g_lsgan)


def test_generator_grad_norm_matches_autograd():
    G, D = toy.pair(z_dim=2, hidden=(6,))
    z = torch.randn(16, 2)
    got = toy.generator_grad_norm(G, D, z, gc.losses.g_nonsaturating)
    gc.losses.g_nonsaturating(D(G(z))).backward()
    want = torch.sqrt(sum((p.grad**2).sum() for p in G.parameters())).item()
    assert got == pytest.approx(want, rel=1e-5) and got > 0


def test_train_discriminator_learns_and_calls_back():
    torch.manual_seed(0)
    real = torch.randn(128, 2) + torch.tensor([3.0, 0.0])
    fake = torch.randn(128, 2) - torch.tensor([3.0, 0.0])
    for loss in ("ns", "lsgan"):
        D = Linear2(w=(0.0, 0.0), b=0.0)
        seen = []
        out = toy.train_discriminator(
            D,
            real,
            fake,
            loss,
            steps=60,
            lr=0.05,
            every=20,
            callback=lambda t, d, s=seen: s.append(t),
        )
        assert seen == [0, 20, 40, 60] and len(out) == 60 and out[-1] < out[0]
        assert (
            D(real).mean() - D(fake).mean() > 0.8
        )  # LSGAN은 1과 0에 가깝게, BCE는 로짓 차이가 크게
    with pytest.raises(GanBookError, match="shape"):
        toy.train_discriminator(D, real, torch.zeros(5, 3), steps=1)


def test_mode_shares_by_hand():
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = torch.tensor([[1.0, 1.0], [9.0, 0.0], [8.0, 1.0], [-1.0, 0.0]])
    assert torch.allclose(toy.mode_shares(x, centers), torch.tensor([0.5, 0.5, 0.0]))
    with pytest.raises(GanBookError, match="tensor shape"):
        toy.mode_shares(torch.zeros(4, 3), centers)


def test_mode_tracker_records_during_fit():
    data = gc.data.load("ring8", batch_size=32, n=256)
    G, D = toy.pair(z_dim=2, hidden=(16,))
    tr = toy.ModeTracker(data.meta["centers"], data.meta["std"], every=5, n=200)
    gc.train.fit(
        G, D, data, TrainConfig(steps=10, batch_size=32, z_dim=2), callbacks=[tr], progress=False
    )
    steps, modes = tr.series("modes")
    assert list(steps) == [1, 5, 10] and modes.shape == (3,)
    assert tr.samples[0][1].shape == (200, 2) and {"hq", "counts", "shares"} <= set(tr.records[0])
    assert tr.records[0]["shares"].sum().item() == pytest.approx(1.0)

    # 진짜 데이터를 넣으면 8개 모드를 모두 잡는다 (지표 연결 확인)
    class Real(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(torch.zeros(()))

        def forward(self, z):
            return data.x[: len(z)] + 0 * self.p

    tr2 = toy.ModeTracker(
        data.meta["centers"], data.meta["std"], every=1, n=200, keep_samples=False
    )
    tr2(gc.train.TrainState(1, Real(), D, gc.train.History()))
    assert tr2.records[0]["modes"] == 8 and tr2.records[0]["hq"] > 0.95 and tr2.samples == []
