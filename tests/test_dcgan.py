"""DCGAN 생성자/판별자: 작은 설정으로 모양, 역전파, 저장/읽기, 초기화 통계, 모양 공식 (diffusers 방식)."""

import pytest
import torch
from torch import nn

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import dcgan

TINY_G = {"z_dim": 8, "ch": 4}
TINY_D = {"ch": 4}


@pytest.mark.parametrize("batchnorm", [True, False])
def test_generator_shape_range_backward(batchnorm):
    G = gc.models.build("dcgan_g", batchnorm=batchnorm, **TINY_G)
    x = G(torch.randn(3, 8))
    assert x.shape == (3, 1, 28, 28)
    assert x.abs().max() <= 1.0  # tanh
    x.square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


@pytest.mark.parametrize("norm", ["bn", "sn", "none"])
def test_discriminator_shape_backward(norm):
    D = gc.models.build("dcgan_d", norm=norm, **TINY_D)
    x = torch.randn(5, 1, 28, 28, requires_grad=True)
    out = D(x)
    assert out.shape == (5,)
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in D.parameters() if p.requires_grad)


def test_spectral_norm_bounds_each_layer():
    D = gc.models.build("dcgan_d", norm="sn", ch=8)
    D.train()
    for _ in range(30):  # 거듭제곱 반복(power iteration)이 수렴하도록
        D(torch.randn(4, 1, 28, 28))
    D.eval()
    convs = [m for m in D.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 3
    for m in convs:
        w = m.weight.detach().flatten(1)  # 정규화된 가중치 (out, in·k·k)
        assert torch.linalg.matrix_norm(w, ord=2) == pytest.approx(1.0, abs=0.05)


def test_init_statistics():
    G = gc.models.build("dcgan_g", z_dim=64, ch=64)
    D = gc.models.build("dcgan_d", ch=64, norm="bn")
    for m in [*G.modules(), *D.modules()]:
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.weight.numel() > 3000:
            assert m.weight.mean().abs() < 0.002
            assert m.weight.std().item() == pytest.approx(0.02, rel=0.05)
        if isinstance(m, nn.BatchNorm2d):
            assert m.weight.mean().item() == pytest.approx(1.0, abs=0.01)
            assert torch.all(m.bias == 0)


def test_save_load_roundtrip_and_refusal(tmp_path):
    G = gc.models.build("dcgan_g", **TINY_G)
    z = torch.randn(4, 8)
    G.eval()
    want = G(z)
    cfg = gc.train.TrainConfig(steps=3, z_dim=8)
    path = gc.checkpoint.save(tmp_path / "g.pt", G, "dcgan_g", cfg)
    G2 = gc.models.build("dcgan_g", **TINY_G).eval()
    info = gc.checkpoint.load(path, G2, "dcgan_g")
    assert info["config"]["z_dim"] == 8
    assert torch.allclose(G2(z), want)
    with pytest.raises(GanBookError, match="checkpoint from another model"):
        gc.checkpoint.load(path, gc.models.build("dcgan_d", **TINY_D), "dcgan_d")
    with pytest.raises(GanBookError, match="shape mismatch"):
        gc.checkpoint.load(path, gc.models.build("dcgan_g", z_dim=8, ch=6), "dcgan_g")


@pytest.mark.parametrize(
    "size, k, s, p", [(1, 7, 1, 0), (7, 4, 2, 1), (14, 4, 2, 1), (5, 3, 2, 0), (4, 5, 3, 2)]
)
def test_transposed_conv_formula_matches_torch(size, k, s, p):
    layer = nn.ConvTranspose2d(1, 1, k, s, p)
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == dcgan.convt_out(size, k, s, p)
    conv = nn.Conv2d(1, 1, k, s, p)
    if size + 2 * p >= k:
        assert conv(torch.zeros(1, 1, size, size)).shape[-1] == dcgan.conv_out(size, k, s, p)


def test_shape_table_from_hooks():
    G = gc.models.build("dcgan_g", **TINY_G)
    G.train()
    before = G.net[1].running_mean.clone()
    rows = dcgan.shape_table(G, torch.randn(2, 8))
    assert torch.equal(G.net[1].running_mean, before) and G.training  # 부작용 없음
    convt = [r for r in rows if r["종류"] == "ConvTranspose2d"]
    assert [r["출력"] for r in convt] == [(8, 7, 7), (4, 14, 14), (1, 28, 28)]
    assert all(r["공식"] == r["출력"][-1] for r in convt)
    D = gc.models.build("dcgan_d", norm="sn", **TINY_D)
    rows = dcgan.shape_table(D, torch.randn(2, 1, 28, 28))
    assert [r["출력"][-1] for r in rows if "공식" in r] == [14, 7, 1]


def test_bad_inputs():
    with pytest.raises(GanBookError, match="unknown 정규화"):
        gc.models.build("dcgan_d", norm="ln")
    with pytest.raises(GanBookError, match="1 이상"):
        gc.models.build("dcgan_g", ch=0)
    with pytest.raises(GanBookError, match="tensor shape"):
        gc.models.build("dcgan_d", **TINY_D)(torch.zeros(2, 1, 32, 32))
    with pytest.raises(GanBookError, match="tensor shape"):
        gc.models.build("dcgan_g", **TINY_G)(torch.zeros(2, 9))


def test_fit_code_path_with_recipe_options():
    """5장 레시피의 코드 경로(힌지 손실, 스펙트럼 정규화, TTUR, EMA, channels_last)를 몇 단계만."""
    data = gc.data.load("mnist5k", batch_size=16, split="test")
    G = gc.models.build("dcgan_g", **TINY_G).to(memory_format=torch.channels_last)
    D = gc.models.build("dcgan_d", norm="sn", **TINY_D).to(memory_format=torch.channels_last)
    cfg = gc.train.TrainConfig(
        steps=3, batch_size=16, z_dim=8, lr_g=1e-4, lr_d=4e-4, ema_decay=0.9, log_every=1
    )
    hist = gc.train.fit(G, D, data, cfg, loss="hinge", device="cpu", progress=False)
    assert hist.step == [1, 2, 3] and hist.g_ema is not None
    x = gc.train.sample(hist.g_ema.module, 5, 8)
    assert x.shape == (5, 1, 28, 28) and torch.isfinite(x).all()


def test_recipes_choose_build_and_refuse(monkeypatch):
    """5장의 레시피: 모드로 고르고, 그 폭의 (G, D)를 channels_last로 만들며, 모르는 모드는 거절한다."""
    monkeypatch.setenv("GANBOOK_MODE", "quick")
    assert dcgan.recipe() is dcgan.QUICK
    monkeypatch.setenv("GANBOOK_MODE", "full")
    assert dcgan.recipe() is dcgan.FULL and dcgan.recipe("quick") is dcgan.QUICK
    with pytest.raises(GanBookError, match="unknown"):
        dcgan.recipe("fast")
    r = dcgan.QUICK
    G, D = r.build()
    assert G.net[0].out_channels == 2 * r.ch and D.net[0].out_channels == r.ch
    assert G.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    x = G(torch.randn(2, r.z_dim))
    assert x.shape == (2, 1, 28, 28) and D(x).shape == (2,)
    assert dcgan.FULL.cfg.steps > r.cfg.steps and dcgan.FULL.ch >= r.ch  # full: 더 길게, 더 넓게
