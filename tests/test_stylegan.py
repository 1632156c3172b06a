"""StyleGAN 축소판: AdaIN의 통계, 스타일 혼합의 교차점, 절단 ψ = 0, 잡음 방식, 평균 w, 단계 객체, 레시피."""

from dataclasses import replace

import pytest
import torch

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import stylegan as S

TINY = dict(z_dim=8, w_dim=8, channels=(8, 8, 4, 4), map_layers=2)


def _g(seed=0, **kw):
    torch.manual_seed(seed)
    return S.Generator(**{**TINY, **kw})


def test_adain_has_style_stats():
    x = torch.randn(3, 5, 6, 6) * 4 + 2
    scale, bias = torch.rand(3, 5) + 0.5, torch.randn(3, 5)
    y = S.adain(x, scale, bias)
    assert torch.allclose(y.mean((2, 3)), bias, atol=1e-5)
    assert torch.allclose(y.std((2, 3), unbiased=False), scale, atol=1e-4)
    # 독립 계산: 인스턴스 정규화(torch) 뒤 배율·편향
    ref = (
        torch.nn.functional.instance_norm(x, eps=1e-8) * scale[..., None, None]
        + bias[..., None, None]
    )
    assert torch.allclose(y, ref, atol=1e-4)


def test_mix_ws_crossover():
    w1, w2 = torch.randn(2, 8), torch.randn(2, 8)
    for k in range(0, 9):
        ws = S.mix_ws(w1, w2, k, 8)
        assert ws.shape == (2, 8, 8)
        for i in range(8):
            assert torch.equal(ws[:, i], w1 if i < k else w2)
    with pytest.raises(GanBookError, match="crossover"):
        S.mix_ws(w1, w2, 9, 8)


def test_mixing_feeds_w1_below_k_to_the_affine_layers():
    G = _g().eval()
    seen = []
    hooks = [
        layer.affine.register_forward_hook(lambda m, i, o: seen.append(i[0])) for layer in G.layers
    ]
    z1, z2 = torch.randn(2, 8), torch.randn(2, 8)
    w1, w2 = G.mapping(z1), G.mapping(z2)
    k = 3
    G.synthesis(S.mix_ws(w1, w2, k, G.num_ws), noise="none")
    for h in hooks:
        h.remove()
    assert len(seen) == G.num_ws == 8
    for i, w in enumerate(seen):
        assert torch.equal(w, w1 if i < k else w2)


def test_psi_zero_gives_mean_w_image():
    G = _g().eval()
    G.const.data.normal_()  # 학습한 뒤처럼 공간 무늬가 있는 상수 (모두 1이면 첫 인스턴스 정규화가 0/0에 가깝다)
    G.w_avg.copy_(torch.randn(8))
    z = torch.randn(4, 8)
    out = G(z, psi=0.0, noise="none")
    ref = G.synthesis(G.w_avg.expand(4, G.num_ws, -1), noise="none")  # 모든 z가 평균 w의 이미지
    assert torch.allclose(out, ref, atol=1e-5)
    assert torch.allclose(out, out[:1].expand_as(out), atol=1e-4)
    assert torch.allclose(
        G(z, psi=1.0, noise="none"), G.synthesis(G.mapping(z)[:, None].expand(-1, 8, -1), "none")
    )


def test_truncation_formula():
    G = _g()
    G.w_avg.fill_(1.0)
    w = torch.randn(3, 8)
    assert torch.allclose(G.truncate(w, 0.5), 1.0 + 0.5 * (w - 1.0))


def test_noise_modes():
    G = _g().eval()
    for layer in G.layers:
        layer.noise_weight.data.fill_(0.5)
    z = torch.randn(2, 8)
    assert torch.equal(G(z, noise="none"), G(z, noise="none"))  # 잡음 끔: 결정적
    assert torch.equal(G(z, noise="const"), G(z, noise="const"))
    assert not torch.allclose(G(z, noise="random"), G(z, noise="random"))
    assert not torch.allclose(G(z, noise="const"), G(z, noise="none"))
    with pytest.raises(GanBookError, match="noise mode"):
        G(z, noise="loud")


def test_noise_weights_start_at_zero():
    G = _g().eval()
    z = torch.randn(2, 8)
    assert torch.allclose(G(z, noise="random"), G(z, noise="none"))


def test_shapes_and_errors():
    G = _g()
    assert G(torch.randn(3, 8)).shape == (3, 1, 32, 32)
    assert G.num_ws == 8 and G.mapping(torch.randn(3, 8)).shape == (3, 8)
    assert len(G.mapping.layers) == 2
    with pytest.raises(GanBookError):
        G(torch.randn(3, 7))
    with pytest.raises(GanBookError):
        G.synthesis(torch.randn(3, 7, 8))


def test_tracked_mean_w():
    G = _g()
    G.w_avg_beta = 0.9
    w = torch.randn(16, 8)
    G.track_w(w)
    assert torch.allclose(G.w_avg, 0.1 * w.mean(0), atol=1e-6)  # 0에서 시작해 EMA 한 번
    for _ in range(300):
        G.track_w(w)
    assert torch.allclose(G.w_avg, w.mean(0), atol=1e-5)


def test_mapping_lr_mul_scales_effective_weights():
    torch.manual_seed(0)
    a = S.MappingLinear(6, 4, lr_mul=1.0)
    torch.manual_seed(0)
    b = S.MappingLinear(6, 4, lr_mul=0.01)
    x = torch.randn(5, 6)
    assert torch.allclose(a(x), b(x), atol=1e-4)  # 같은 시작 함수, 학습 속도만 다르다


def test_step_object_and_r1():
    torch.manual_seed(0)
    rec = replace(
        S.QUICK,
        channels=(8, 8, 4, 4),
        d_channels=(8, 8, 4, 4),
        w_dim=8,
        r1_every=2,
        loss="ns",
        disc="pggan",
        gamma=1.0,
        cfg=replace(S.QUICK.cfg, z_dim=8, steps=3, batch_size=4, log_every=1),
    )
    G, D = rec.build()
    x = torch.rand(8, 1, 32, 32) * 2 - 1
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=4)
    hist = S.fit(G, D, data, rec, progress=False)
    assert len(hist["r1"]) == 3 and hist["r1"][-1] > 0
    assert hist.g_ema is not None and torch.equal(hist.g_ema.w_avg, G.w_avg)
    assert G.w_avg.abs().sum() > 0
    step = S.StyleGANStep(G, D, 0.9, 1.0)
    with pytest.raises(GanBookError, match="phase"):
        step.loss("X", None, 0)
    # R1 = ‖∇D‖²: 독립 계산
    xr = x[:4].clone().requires_grad_(True)
    (g,) = torch.autograd.grad(D(xr).sum(), xr)
    assert torch.allclose(S.r1_penalty(D, x[:4])[0], g.pow(2).flatten(1).sum(1).mean(), rtol=1e-4)


def test_full_recipe_constructs_and_steps():
    rec = replace(
        S.FULL,
        channels=(32, 32, 16, 8),
        d_channels=(32, 32, 16, 8),
        cfg=replace(S.FULL.cfg, steps=2, batch_size=4, log_every=1),
    )
    assert (
        S.FULL.map_layers == 8
        and S.FULL.w_dim == 512
        and S.FULL.mixing == 0.9
        and S.FULL.gamma == 10.0
    )
    G, D = rec.build()
    x = torch.rand(8, 1, 32, 32) * 2 - 1
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=4)
    hist = S.fit(G, D, data, rec, progress=False)
    assert hist.step[-1] == 2


def test_generate_is_seeded_and_slerp():
    G = _g()
    for layer in G.layers:
        layer.noise_weight.data.fill_(0.3)
    z = torch.randn(3, 8)
    assert torch.equal(S.generate(G, z, seed=5), S.generate(G, z, seed=5))
    a, b = torch.randn(4, 8), torch.randn(4, 8)
    t0, t1 = S._slerp(a, b, torch.zeros(4, 1)), S._slerp(a, b, torch.ones(4, 1))
    assert torch.allclose(t0, torch.nn.functional.normalize(a, dim=1), atol=1e-5)
    assert torch.allclose(t1, torch.nn.functional.normalize(b, dim=1), atol=1e-5)
    with pytest.raises(GanBookError, match="space"):
        S.path_length(G, "x")


def test_checkpoint_roundtrip(tmp_path):
    G = _g().eval()
    G.w_avg.fill_(0.25)
    path = tmp_path / "g.pt"
    gc.checkpoint.save(path, G, "stylegan_g", TINY)
    H = _g(seed=1).eval()
    gc.checkpoint.load(path, H, "stylegan_g")
    with pytest.raises(GanBookError):
        gc.checkpoint.load(path, _g(), "dcgan_g")
    z = torch.randn(2, 8)
    assert torch.equal(G(z, noise="const"), H(z, noise="const")) and torch.equal(H.w_avg, G.w_avg)


def test_hinge_sn_variant_crops_for_28x28_discriminator():
    rec = replace(
        S.QUICK,
        channels=(8, 8, 4, 4),
        w_dim=8,
        loss="hinge",
        disc="dcgan_sn",
        d_ch=4,
        gamma=0.5,
        r1_every=1,
        cfg=replace(S.QUICK.cfg, z_dim=8, steps=2, batch_size=4, log_every=1),
    )
    G, D = rec.build()
    x = torch.rand(8, 1, 32, 32) * 2 - 1
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=4)
    hist = S.fit(G, D, data, rec, progress=False)
    assert hist.d_output == "score" and len(hist["r1"]) == 2
    with pytest.raises(GanBookError, match="discriminator"):
        replace(rec, disc="huge").build()
