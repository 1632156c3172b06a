"""CycleGAN·DiscoGAN: ResNet 생성자, 이력 버퍼, 짝 없는 데이터, 단계 객체, 레시피."""

import dataclasses

import pytest
import torch
import torch.nn.functional as Fn

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import cyclegan as cg
from gancore.train import TrainConfig


@pytest.mark.parametrize("norm,up", [("instance", "deconv"), ("batch", "resize")])
def test_generator_shape_backward(norm, up):
    G = gc.models.build("resnet_gen", ngf=4, n_blocks=1, norm=norm, up=up)
    out = G(torch.randn(3, 1, 28, 28))
    assert out.shape == (3, 1, 28, 28) and out.abs().max() <= 1
    out.mean().backward()
    assert all(p.grad is not None for p in G.parameters())


def test_generator_errors():
    with pytest.raises(GanBookError, match="정규화"):
        cg.ResnetGenerator(norm="group")
    with pytest.raises(GanBookError, match="확대 방식"):
        cg.ResnetGenerator(up="pixel")
    with pytest.raises(GanBookError, match="4의 배수"):
        cg.ResnetGenerator(ngf=4, n_blocks=0)(torch.randn(1, 1, 30, 30))
    with pytest.raises(GanBookError, match="tensor shape"):
        cg.ResnetGenerator(ngf=4)(torch.randn(1, 3, 28, 28))


def test_resblock_is_residual():
    blk = cg.ResBlock(4)
    for p in blk.body.parameters():
        torch.nn.init.zeros_(p)
    x = torch.randn(2, 4, 7, 7)
    assert torch.equal(blk(x), x)


def test_checkpoint_roundtrip(tmp_path):
    G = gc.models.build("resnet_gen", ngf=4, n_blocks=1)
    path = tmp_path / "g.pt"
    gc.checkpoint.save(path, G, "resnet_gen", config=dict(ngf=4, n_blocks=1))
    H = gc.models.build("resnet_gen", ngf=4, n_blocks=1)
    gc.checkpoint.load(path, H, "resnet_gen")
    with pytest.raises(GanBookError):
        gc.checkpoint.load(path, H, "unet")
    x = torch.randn(2, 1, 28, 28)
    assert torch.allclose(G.eval()(x), H.eval()(x))


def test_image_pool():
    pool = cg.ImagePool(4, seed=0)
    a = torch.arange(4.0).view(4, 1, 1, 1)
    assert torch.equal(pool.query(a), a)  # 차기 전에는 그대로
    b = 10 + torch.arange(400.0).view(400, 1, 1, 1)
    out = pool.query(b)
    old = (out < 10).float().mean().item()  # 버퍼에서 나온 것 (대략 절반 중 처음 몇은 옛 이미지)
    from_buf = (out != b).float().mean().item()
    assert 0.4 < from_buf < 0.6 and old < 0.05
    assert torch.equal(cg.ImagePool(0).query(b), b)
    c = torch.randn(3, 1, 2, 2, requires_grad=True)
    assert not cg.ImagePool(2).query(c).requires_grad


def test_unpaired_data_disjoint_deterministic():
    a = gc.data.load_unpaired("thin2thick", split="test", batch_size=4, seed=0)
    b = gc.data.load_unpaired("thin2thick", split="test", batch_size=4, seed=0)
    assert a.x.shape == a.y.shape == (500, 1, 28, 28)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not set(a.meta["src_x"].tolist()) & set(a.meta["src_y"].tolist())
    tr = gc.data.load_unpaired(split="train")
    assert len(tr.x) == len(tr.y) == 2000
    assert (a.y > 0).float().mean() > 1.5 * (a.x > 0).float().mean()  # 굵은 획은 잉크가 많다
    x1, y1 = next(iter(a.loader))
    x2, y2 = next(iter(b.loader))
    assert x1.shape == (4, 1, 28, 28) and torch.equal(x1, x2) and torch.equal(y1, y2)
    # 두 영역을 따로 섞는다: x 배치의 번호와 y 배치의 번호가 같은 순서가 아니다
    it = iter(a.loader)
    assert len(a.loader) == 125 and sum(1 for _ in it) == 125


def test_unpaired_errors():
    with pytest.raises(GanBookError, match="짝 없는 데이터셋"):
        gc.data.load_unpaired("horse2zebra")
    with pytest.raises(GanBookError, match="분할"):
        gc.data.load_unpaired(split="all")
    with pytest.raises(GanBookError, match="배치 크기"):
        gc.data.load_unpaired(split="test", batch_size=1000)


def _tiny(kind="cyclegan", steps=2, **kw):
    base = cg.DISCO_QUICK if kind == "discogan" else cg.QUICK
    cfg = dataclasses.replace(base.cfg, steps=steps, batch_size=2, log_every=1)
    return dataclasses.replace(base, cfg=cfg, ngf=4, ndf=4, n_blocks=1, **kw)


def test_cyclegan_loss_matches_formula():
    r = _tiny()
    G, F, DX, DY = r.build()
    x, y = torch.randn(2, 1, 28, 28).tanh(), torch.randn(2, 1, 28, 28).tanh()
    step = cg.CycleGANStep(G, F, DX, DY, lam_cyc=10.0, lam_id=0.5, pool_size=0)
    for m in step.nets.values():
        m.eval()
    loss = step.loss("G", (x, y), 0)
    with torch.no_grad():
        gx, fy = G(x), F(y)
        gan = ((DY(gx) - 1) ** 2).mean() + ((DX(fy) - 1) ** 2).mean()
        cyc = (F(gx) - x).abs().mean() + (G(fy) - y).abs().mean()
        idt = (G(y) - y).abs().mean() + (F(x) - x).abs().mean()
        assert torch.allclose(loss, gan + 10 * cyc + 5 * idt, atol=1e-5)
        d = step.loss("D", None, 0)
        want = 0.5 * (((DY(y) - 1) ** 2).mean() + (DY(gx) ** 2).mean())
        want = want + 0.5 * (((DX(x) - 1) ** 2).mean() + (DX(fy) ** 2).mean())
        assert torch.allclose(d, want, atol=1e-5)
    with pytest.raises(GanBookError, match="국면"):
        step.loss("E", None, 0)


def test_discogan_schedule_and_loss():
    r = _tiny("discogan")
    G, F, DX, DY = r.build()
    step = cg.DiscoGANStep(G, F, DX, DY, curriculum=2, start_rate=0.01, rate=0.5, interval=3)
    x, y = torch.randn(2, 1, 28, 28).tanh(), torch.randn(2, 1, 28, 28).tanh()
    g0 = step.loss(
        "G", (x, y), 0
    )  # 반복 0: 판별자 차례 → 생성자 손실은 어느 파라미터에도 닿지 않는다
    assert step.d_turn() and g0.grad_fn is None
    assert step.loss("D", None, 0).grad_fn is not None
    g1 = step.loss("G", (x, y), 0)  # 반복 1: 생성자 차례, r = 0.01
    assert not step.d_turn() and step.loss("D", None, 0).grad_fn is None
    assert torch.allclose(g1, 0.99 * step.g_gan + 0.01 * step.g_rec)
    step.loss("G", (x, y), 0)  # 반복 2: 생성자 차례
    assert step.loss("G", (x, y), 0).grad_fn is None  # 반복 3: 판별자 차례
    step.loss("G", (x, y), 0)  # 반복 4 (>= curriculum): r = 0.5
    assert torch.allclose(step.g_loss, 0.5 * step.g_gan + 0.5 * step.g_rec)


@pytest.mark.parametrize("kind", ["cyclegan", "discogan"])
def test_fit_runs_and_updates(kind):
    r = _tiny(kind, steps=3)
    nets = r.build()
    before = [p.detach().clone() for p in nets[0].parameters()]
    data = gc.data.load_unpaired(split="test", batch_size=2)
    hist = cg.fit(*nets, data, r, progress=False)
    assert len(hist["g_loss"]) == 3
    assert any(not torch.equal(a, p) for a, p in zip(before, nets[0].parameters()))
    assert not nets[0].training  # 끝나면 평가 모드


def test_ablation_skips_cycle_and_identity():
    r = _tiny(steps=1)
    data = gc.data.load_unpaired(split="test", batch_size=2)
    hist = cg.fit(*r.build(), data, r, lam_cyc=0.0, progress=False)
    assert hist["g_cyc"] == [0.0] and hist["g_idt"] == [0.0]


@pytest.mark.parametrize("full", [cg.FULL, cg.DISCO_FULL])
def test_full_recipe_starts(full):
    """full 설정이 만들어지고 두 단계를 돈다 (배치만 작게)."""
    r = dataclasses.replace(full, cfg=dataclasses.replace(full.cfg, steps=2, batch_size=2))
    data = gc.data.load_unpaired(split="test", batch_size=2)
    hist = cg.fit(*r.build(), data, r, progress=False)
    assert len(hist["g_loss"]) == 2
    assert cg.recipe() == cg.QUICK and cg.recipe("discogan") == cg.DISCO_QUICK
    with pytest.raises(GanBookError, match="방식"):
        cg.recipe("unit")


def test_eval_helpers():
    G = cg.ResnetGenerator(ngf=4, n_blocks=0)
    x = torch.randn(6, 1, 28, 28).tanh()
    assert cg.cycle_error(G, G, x) >= 0
    clf = cg.domain_classifier()
    assert clf(x).shape == (6, 2)
    r = cg.domain_rate(clf, x, 0) + cg.domain_rate(clf, x, 1)
    assert abs(r - 1) < 1e-6
    assert Fn.l1_loss(G.eval()(x), G.train()(x)).item() == 0  # 인스턴스 정규화: 모드와 무관
    _ = TrainConfig
