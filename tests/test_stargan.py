"""StarGAN: 레이블 펼치기, 생성자·판별자 모양, 손실 공식, 학습 국면, 여러 영역 데이터, 짝 변환, 평가."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import stargan as sg
from gancore.train import TrainConfig


def tiny_recipe(steps=2, n_critic=2):
    cfg = TrainConfig(
        steps=steps, batch_size=4, lr_g=1e-3, lr_d=1e-3, n_critic=n_critic, log_every=1
    )
    return sg.Recipe(cfg, ngf=4, ndf=4, n_res=1)


def test_tile_labels():
    t = sg.tile_labels(torch.tensor([2, 0]), 3, (5, 4))
    assert t.shape == (2, 3, 5, 4)
    assert (t[0, 2] == 1).all() and (t[0, :2] == 0).all() and (t[1, 0] == 1).all()
    with pytest.raises(GanBookError, match=r"영역 레이블\(domain label\)"):
        sg.tile_labels(torch.tensor([3]), 3, (2, 2))


def test_generator_uses_the_label_and_backprops():
    G, _ = tiny_recipe().build(3)
    x = torch.rand(2, 1, 28, 28) * 2 - 1
    a, b = G(x, torch.tensor([0, 0])), G(x, torch.tensor([1, 1]))
    assert a.shape == (2, 1, 28, 28) and a.abs().max() <= 1
    assert not torch.allclose(a, b)  # 목표 영역이 출력을 바꾼다
    assert G.net[0].in_channels == 1 + 3  # 이미지 + 펼친 레이블 k장
    a.mean().backward()
    assert all(p.grad is not None for p in G.parameters())
    with pytest.raises(GanBookError, match="target domain label"):
        G(x)
    with pytest.raises(GanBookError, match="StarGAN 생성자 입력"):
        G(torch.zeros(2, 1, 32, 32), torch.tensor([0, 1]))
    one_way = sg.StarGenerator(0, ngf=4, n_res=1)
    assert one_way(x).shape == x.shape and one_way.net[0].in_channels == 1


def test_discriminator_heads():
    D = sg.StarDiscriminator(4, ndf=4, n_layers=2)
    src, cls = D(torch.randn(3, 1, 28, 28))
    assert src.shape == (3, 1, 7, 7) and cls.shape == (3, 4)
    src0, cls0 = sg.StarDiscriminator(0, ndf=4)(torch.randn(3, 1, 28, 28))
    assert src0.shape == (3, 1, 7, 7) and cls0 is None
    with pytest.raises(GanBookError, match="배수"):
        sg.StarDiscriminator(4, n_layers=3, size=28)
    with pytest.raises(GanBookError, match="StarGAN 판별자 입력"):
        D(torch.randn(3, 3, 28, 28))


def test_save_load(tmp_path):
    G, D = tiny_recipe().build(3)
    for net, name in [(G, "stargan_g"), (D, "stargan_d")]:
        path = gc.checkpoint.save(tmp_path / f"{name}.pt", net, name)
        other = type(net)(3, 1, 4, 1) if name == "stargan_g" else type(net)(3, 1, 4, 2)
        gc.checkpoint.load(path, other, name)
        assert all(
            torch.equal(u, v)
            for u, v in zip(net.state_dict().values(), other.state_dict().values())
        )
    with pytest.raises(GanBookError):
        gc.checkpoint.load(tmp_path / "stargan_g.pt", D, "stargan_d")


def _gp(D, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(D(x_hat)[0].sum(), x_hat, create_graph=True)
    return 10.0 * ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()


def test_step_losses_match_the_formulas():
    """D·G 손실을 같은 난수로 따로 계산해 견준다 (WGAN 항, 기울기 벌점, 영역 분류, 되돌리기 L1)."""
    G, D = tiny_recipe().build(3)
    step = sg.StarGANStep(G, D, lam_cls=0.7, lam_rec=3.0)
    x, c = torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 1])
    torch.manual_seed(5)
    d_loss = step.loss("D", (x, c), 0)
    torch.manual_seed(5)
    c_trg = torch.randint(3, (4,))
    fake = G(x, c_trg).detach()
    eps = torch.rand(4, 1, 1, 1)
    real_src, real_cls = D(x)
    want = (
        D(fake)[0].mean()
        - real_src.mean()
        + _gp(D, x, fake, eps)
        + 0.7 * F.cross_entropy(real_cls, c)
    )
    torch.testing.assert_close(d_loss, want)
    assert torch.equal(step.c_trg, c_trg)
    g_loss = step.loss("G", None, 0)  # 같은 배치, 같은 목표 영역
    fake = G(x, c_trg)
    src, cls = D(fake)
    want_g = -src.mean() + 0.7 * F.cross_entropy(cls, c_trg) + 3.0 * (G(fake, c) - x).abs().mean()
    torch.testing.assert_close(g_loss, want_g)
    assert all(p.grad is None for p in D.parameters())  # G 국면은 D의 기울기를 쌓지 않는다
    with pytest.raises(GanBookError, match="phase"):
        step.loss("E", None, 0)


def test_identity_term_is_added_only_when_asked():
    G, D = tiny_recipe().build(3)
    x, c = torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 1])
    losses = {}
    for lam in (0.0, 2.0):
        step = sg.StarGANStep(G, D, lam_id=lam)
        torch.manual_seed(3)
        step.loss("D", (x, c), 0)
        losses[lam] = step.loss("G", None, 0)
    want = 2.0 * (G(x, c) - x).abs().mean()
    torch.testing.assert_close(losses[2.0] - losses[0.0], want)
    assert sg.FULL.lam_id == 0.0  # 논문 그대로


def _tiny_bundle(n=16, k=3):
    x = torch.rand(n, 1, 28, 28) * 2 - 1
    y = torch.arange(n) % k
    return gc.data.DataBundle(
        "t",
        x,
        y,
        gc.data.make_loader(x, y, 4),
        {"domains": ["a", "b", "c"][:k], "digits": torch.arange(n) % 10},
    )


def test_fit_runs_phases_n_critic_times(monkeypatch):
    calls = []
    orig = sg.StarGANStep.loss

    def spy(self, phase, batch, k):
        calls.append((phase, batch is not None, k))
        return orig(self, phase, batch, k)

    monkeypatch.setattr(sg.StarGANStep, "loss", spy)
    r = tiny_recipe(steps=3, n_critic=2)
    G, D = r.build(3)
    before = [p.clone() for p in G.parameters()]
    hist = sg.fit(G, D, _tiny_bundle(), r, progress=False)
    assert (
        calls == [("D", True, 0), ("D", True, 1), ("G", False, 0)] * 3
    )  # D는 새 배치로 n_critic번
    assert hist.step == [1, 2, 3] and len(hist["g_rec"]) == 3 and len(hist["w_dist"]) == 3
    assert any(not torch.equal(a, b) for a, b in zip(before, G.parameters()))


def test_full_recipe_starts():
    r = dataclasses.replace(sg.FULL, cfg=dataclasses.replace(sg.FULL.cfg, steps=2, n_critic=1))
    G, D = r.build(4)
    data = gc.data.load_domains(split="test", batch_size=16)
    hist = sg.fit(G, D, data, r, progress=False)
    assert len(hist.step) == 2 and gc.models.n_params(G) > 10 * gc.models.n_params(
        tiny_recipe().build(4)[0]
    )
    assert sg.FULL.lam_cls == 1.0 and sg.FULL.lam_rec == 10.0 and sg.FULL.lam_gp == 10.0
    assert sg.FULL.cfg.n_critic == 5 and sg.QUICK.cfg.n_critic == 5


def test_pair_training_and_loader():
    xa, xb = torch.randn(8, 1, 28, 28).tanh(), torch.randn(12, 1, 28, 28).tanh()
    a, b = next(iter(sg.PairLoader(xa, xb, 4)))
    assert a.shape == b.shape == (4, 1, 28, 28)
    hist, (G_ab, G_ba) = sg.fit_pair(xa, xb, tiny_recipe(steps=2), progress=False)
    assert len(hist.step) == 2 and G_ab.k == G_ba.k == 0


def test_load_domains_disjoint_deterministic_balanced():
    a = gc.data.load_domains(split="test")
    b = gc.data.load_domains(split="test")
    c = gc.data.load_domains(split="test", seed=1)
    src = gc.data.load("mnist5k", split="test")
    assert a.x.shape == (1000, 1, 28, 28) and torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.y, c.y)  # 시드가 나누기를 바꾼다
    assert torch.bincount(a.y).tolist() == [250] * 4
    assert torch.equal(a.meta["digits"], src.y)
    # 원본 하나는 영역 하나에만: i번째 이미지는 i번째 원본을 그 영역의 양식으로 그린 것이다
    for i in [0, 1, 2, 3, 500]:
        style = a.meta["domains"][a.y[i]]
        torch.testing.assert_close(a.x[i : i + 1], gc.data.render_style(src.x[i : i + 1], style))
    xb, yb = next(iter(gc.data.load_domains(split="test", batch_size=8).loader))
    assert xb.shape == (8, 1, 28, 28) and yb.shape == (8,)
    three = gc.data.load_domains(split="test", domains=("thin", "thick", "slant_left"))
    assert three.y.max() == 2 and three.meta["domains"] == ["thin", "thick", "slant_left"]


def test_styles_have_the_attributes():
    x = gc.data.load("mnist5k", split="test").x[:200]
    r = {s: gc.data.render_style(x, s) for s in gc.data.DIGIT_STYLES}
    ink = {s: (v > 0).float().mean().item() for s, v in r.items()}
    assert ink["thick"] > 1.5 * ink["thin"]
    sl = {s: gc.data.slant(v).mean().item() for s, v in r.items()}
    assert sl["slant_right"] < -0.2 and sl["slant_left"] > 0.2 and abs(sl["thin"]) < 0.1
    assert (
        abs(sl["thick"]) < 0.1
        and gc.data.slant(gc.data.shear(x, gc.data.slant(x))).abs().mean() < 0.1
    )


def test_load_domains_errors():
    with pytest.raises(GanBookError, match=r"unknown 영역 데이터셋\(domain dataset\)"):
        gc.data.load_domains("celeba")
    with pytest.raises(GanBookError, match=r"숫자 양식\(digit style\).*thick"):
        gc.data.load_domains(domains=("thin", "bold"))
    with pytest.raises(GanBookError, match="2개 이상"):
        gc.data.load_domains(domains=("thin", "thin"))
    with pytest.raises(GanBookError, match=r"분할\(split\)"):
        gc.data.load_domains(split="val")


def test_domain_classifier_and_evaluate():
    data = _tiny_bundle(24)
    clf, hist = sg.train_domain_classifier(data, steps=2, batch_size=8, progress=False)
    assert len(hist["loss"]) == 2 and sg.predict(clf, data.x).shape == (24,)
    G, _ = tiny_recipe().build(3)
    m = sg.evaluate(G, data, clf)
    assert m["domain_acc"].shape == m["digit_acc"].shape == m["rec"].shape == (3,)
    assert m["matrix"].shape == (3, 3) and (0 <= m["matrix"]).all() and (m["matrix"] <= 1).all()
    g = sg.grid(G, data.x[:2])
    assert g.shape == (2, 3, 1, 28, 28)
