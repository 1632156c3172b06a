"""PGGAN: 페이드인, 단계별 모양, 미니배치 표준편차, 균등 학습률, 픽셀 정규화, 단계 객체와 성장 드라이버."""

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import pggan as P

CH = (8, 8, 4, 4)


def nets(seed=0):
    torch.manual_seed(seed)
    return P.Generator(z_dim=6, channels=CH), P.Discriminator(channels=CH)


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_stage_shapes(stage):
    G, D = nets()
    for alpha in (0.0, 0.5, 1.0):
        if stage == 0 and alpha < 1:
            continue
        G.set_stage(stage, alpha)
        D.set_stage(stage, alpha)
        x = G(torch.randn(8, 6))
        assert x.shape == (8, 1, P.RES[stage], P.RES[stage]) and G.res == P.RES[stage]
        assert D(x).shape == (8,)


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_generator_fade_in_endpoints(stage):
    """α = 0이면 옛 경로(한 단계 아래 출력)를 2배 업샘플한 것, α = 1이면 새 경로, 그 사이는 선형 섞기."""
    G, _ = nets()
    z = torch.randn(4, 6)
    with torch.no_grad():
        G.set_stage(stage - 1, 1.0)
        old = F.interpolate(G(z), scale_factor=2, mode="nearest")
        G.set_stage(stage, 0.0)
        at0 = G(z)
        G.set_stage(stage, 1.0)
        new = G(z)
        G.set_stage(stage, 0.3)
        mid = G(z)
    torch.testing.assert_close(at0, old, rtol=0, atol=1e-6)
    torch.testing.assert_close(mid, 0.7 * old + 0.3 * new, rtol=0, atol=1e-5)
    assert (new - old).abs().max() > 1e-3
    # α = 1의 출력은 옛 toRGB와 무관하다 (새 경로만), α = 0은 새 블록과 무관하다
    G.set_stage(stage, 1.0)
    G(z).sum().backward()
    assert G.to_rgb[stage - 1].weight.grad is None and G.to_rgb[stage].weight.grad.abs().sum() > 0
    G.zero_grad(set_to_none=True)
    G.set_stage(stage, 0.0)
    G(z).sum().backward()
    assert (
        G.to_rgb[stage].weight.grad.abs().sum() == 0
        and G.blocks[stage][0].weight.grad.abs().sum() == 0
    )


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_discriminator_fade_in_endpoints(stage):
    """α = 0이면 입력을 평균 풀링해 한 단계 아래 판별자에 넣은 것과 같고, α = 1이면 옛 fromRGB를 쓰지 않는다."""
    _, D = nets()
    x = torch.randn(8, 1, P.RES[stage], P.RES[stage])
    with torch.no_grad():
        D.set_stage(stage - 1, 1.0)
        old = D(F.avg_pool2d(x, 2))
        D.set_stage(stage, 0.0)
        at0 = D(x)
    torch.testing.assert_close(at0, old, rtol=0, atol=1e-5)
    D.set_stage(stage, 1.0)
    D(x).sum().backward()
    assert (
        D.from_rgb[stage - 1].weight.grad is None and D.from_rgb[stage].weight.grad.abs().sum() > 0
    )


def test_upsample_matches_torch():
    x = torch.randn(2, 3, 4, 5)
    assert torch.equal(P.up2(x), F.interpolate(x, scale_factor=2, mode="nearest"))


def test_minibatch_stddev_against_numpy():
    x = torch.randn(8, 3, 4, 4)
    out = P.minibatch_stddev(x, group=4)
    assert out.shape == (8, 4, 4, 4) and torch.equal(out[:, :3], x)
    a = x.numpy().astype(np.float64)
    M = 8 // 4
    for i in range(8):  # 표본 i의 무리는 i mod M인 표본들 (공식 코드의 reshape [G, M, …])
        members = a[[j for j in range(8) if j % M == i % M]]  # (4, 3, 4, 4)
        want = np.sqrt(members.var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(out[i, 3].numpy(), np.full((4, 4), want), rtol=1e-5)
    # 배치가 무리 크기보다 작으면 배치 전체가 한 무리
    small = P.minibatch_stddev(x[:2], group=4)
    want = np.sqrt(a[:2].var(axis=0) + 1e-8).mean()
    np.testing.assert_allclose(small[:, 3].numpy(), want, rtol=1e-5)
    with pytest.raises(GanBookError, match="미니배치 표준편차.*group size"):
        P.minibatch_stddev(x[:6], group=4)


def test_equalized_lr_scale_and_weights():
    torch.manual_seed(0)
    conv = P.EqualizedConv2d(64, 32, 3)
    lin = P.EqualizedLinear(256, 128)
    assert conv.scale == pytest.approx(math.sqrt(2 / (64 * 9))) and lin.scale == pytest.approx(
        math.sqrt(2 / 256)
    )
    for w in (conv.weight, lin.weight):  # 저장된 가중치는 N(0, 1)
        assert abs(w.mean().item()) < 0.02 and abs(w.std().item() - 1) < 0.02
    assert conv.bias.abs().sum() == 0
    # He 상수는 순전파에서 곱한다: 저장된 가중치로 직접 계산한 것과 같다
    x = torch.randn(2, 64, 5, 5)
    torch.testing.assert_close(conv(x), F.conv2d(x, conv.weight * conv.scale, conv.bias, padding=1))
    assert P.EqualizedConv2d(4, 1, 1, gain=1.0).scale == pytest.approx(0.5)


def test_pixel_norm_unit_rms():
    x = torch.randn(3, 16, 5, 5) * torch.rand(3, 1, 5, 5) * 10
    rms = P.pixel_norm(x).pow(2).mean(1).sqrt()
    torch.testing.assert_close(rms, torch.ones_like(rms), rtol=1e-5, atol=1e-5)


def test_stage_schedule_and_errors():
    st = P.Stage(8, 10, fade=4)
    assert [st.alpha(t) for t in (1, 2, 4, 9)] == [0.25, 0.5, 1.0, 1.0] and st.index == 1
    assert P.Stage(4, 5).alpha(1) == 1.0
    with pytest.raises(GanBookError, match="해상도\\(resolution\\)"):
        _ = P.Stage(12, 5).index
    G, D = nets()
    with pytest.raises(GanBookError, match="단계\\(stage\\)"):
        G.set_stage(4)
    with pytest.raises(GanBookError, match="fade-in alpha"):
        D.set_stage(1, 1.5)
    D.set_stage(2)
    with pytest.raises(GanBookError, match="PGGAN 판별자 입력.*tensor shape"):
        D(torch.randn(4, 1, 32, 32))
    with pytest.raises(GanBookError, match="생성자 입력 z"):
        G(torch.randn(4, 5))
    with pytest.raises(GanBookError, match="32×32 단계"):
        P.evaluate(G.set_stage(1) or G)


def test_recipe_plan():
    rec = replace(P.QUICK, fade_steps=3, stable_steps=2)
    assert rec.plan() == [P.Stage(4, 2), P.Stage(8, 5, 3), P.Stage(16, 5, 3), P.Stage(32, 5, 3)]
    assert rec.fixed(7) == [P.Stage(32, 7)]


def test_step_losses_and_reals():
    G, D = nets()
    step = P.PGGANStep(G, D, P.Stage(16, 10, fade=4), gp=0.0, drift=1e-3)
    x = torch.rand(8, 1, 32, 32) * 2 - 1
    d = step.loss("D", (x,), 0)
    assert step.alpha == 0.25 and G.stage == D.stage == 2 and G.alpha == 0.25
    want = step.fake_out.mean() - step.real_out.mean() + 1e-3 * step.real_out.pow(2).mean()
    torch.testing.assert_close(d, want)
    g = step.loss("G", None, 0)
    assert g.ndim == 0 and not any(p.requires_grad for p in D.parameters())
    logs = step.logs()
    assert logs["alpha"] == 0.25 and logs["res"] == 16 and logs["gstep"] == 1
    # 진짜 이미지: 평균 풀링으로 16×16, 페이드 중에는 8×8을 업샘플한 것과 α로 섞는다
    r16 = F.avg_pool2d(x, 2)
    low = F.interpolate(F.avg_pool2d(r16, 2), scale_factor=2, mode="nearest")
    torch.testing.assert_close(step.reals(x), 0.75 * low + 0.25 * r16)
    with pytest.raises(GanBookError, match="국면\\(phase\\)"):
        step.loss("E", None, 0)


def test_grow_logs_alpha_across_stages():
    rec = replace(
        P.QUICK,
        channels=CH,
        fade_steps=4,
        stable_steps=2,
        cfg=replace(P.QUICK.cfg, batch_size=8, z_dim=6, log_every=1),
    )
    G, D = rec.build()
    data = gc.data.make_loader(torch.rand(32, 1, 32, 32) * 2 - 1, batch_size=8)
    hist = P.grow(G, D, data, rec, progress=False)
    assert hist["gstep"] == [float(i) for i in range(1, 21)]
    assert hist["res"] == [4.0] * 2 + [8.0] * 6 + [16.0] * 6 + [32.0] * 6
    assert hist["alpha"][2:8] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert G.res == 32 and G.alpha == 1.0 and hist.seconds > 0
    assert all(math.isfinite(v) for v in hist.d_loss)
    with pytest.raises(GanBookError, match="plan"):
        P.grow(G, D, data, rec, [], progress=False)


def test_evaluate_crops_to_28(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        gc.metrics, "evaluate_mnist", lambda s: seen.setdefault("shape", tuple(s.shape))
    )
    G, _ = nets()
    P.evaluate(G)
    assert seen["shape"] == (gc.metrics.N_EVAL, 1, 28, 28)
    x = torch.arange(32.0).expand(1, 1, 32, 32)
    assert torch.equal(P.crop28(x)[0, 0, 0], torch.arange(2.0, 30.0))


def test_load_mnist32():
    b = P.load_mnist32("test", batch_size=16)
    assert b.x.shape == (1000, 1, 32, 32) and b.meta["pad"] == 2
    torch.testing.assert_close(P.crop28(b.x), gc.data.load("mnist5k", split="test").x)
    assert (b.x[..., :2, :] == -1).all()


def test_full_recipe_starts():
    """full 레시피(공식 너비 512)가 만들어지고, 계획의 첫 단계(4×4)가 2단계 돈다."""
    rec = replace(P.FULL, cfg=replace(P.FULL.cfg, log_every=1))
    G, D = rec.build()
    assert G.res == 32 and P.FULL.plan()[1] == P.Stage(8, 2 * (600_000 // 64), 600_000 // 64)
    data = gc.data.make_loader(torch.rand(64, 1, 32, 32) * 2 - 1, batch_size=64)
    hist = P.grow(G, D, data, rec, [P.Stage(4, 2)], progress=False)
    assert hist["res"] == [4.0, 4.0] and all(math.isfinite(v) for v in hist.d_loss)
