"""Pix2Pix: U-Net(건너뛰기 연결), PatchGAN, 수용 영역, 짝 데이터, 학습 단계, 평가."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import pix2pix as p
from gancore.train import TrainConfig


def tiny_unet(**kw):
    return gc.models.build("unet", in_ch=1, out_ch=2, size=16, ngf=4, **kw)


@pytest.mark.parametrize("skips", [True, False])
def test_unet_shape_range_backward(skips):
    G = tiny_unet(skips=skips, dropout=0.5)
    x = torch.randn(3, 1, 16, 16)
    out = G(x)
    assert out.shape == (3, 2, 16, 16) and out.abs().max() <= 1
    out.mean().backward()
    assert all(q.grad is not None and q.grad.abs().sum() > 0 for q in G.parameters())


@pytest.mark.parametrize("skips", [True, False])
def test_unet_skip_wiring(skips):
    """건너뛰기 연결이면 디코더 층의 입력 뒷절반이 같은 크기의 인코더 출력 그대로다; 없으면 채널이 절반."""
    G = tiny_unet(skips=skips).eval()
    enc, dec = [], []
    for m in G.down:
        m.register_forward_hook(lambda mod, i, o: enc.append(o))
    for m in G.up:
        m.register_forward_hook(lambda mod, i, o: dec.append(i[0]))
    G(torch.randn(2, 1, 16, 16))
    assert [e.shape[-1] for e in enc] == [8, 4, 2, 1]
    assert dec[0].shape == enc[-1].shape  # 가장 안쪽은 이어 붙일 것이 없다
    for d, e in zip(dec[1:], reversed(enc[:-1])):
        c = e.shape[1]
        if skips:
            assert d.shape[1] == 2 * c and torch.equal(d[:, c:], e)
        else:
            assert d.shape == e.shape and not torch.equal(d, e)


def test_unet_errors():
    with pytest.raises(GanBookError, match=r"크기\(size\).*2의 거듭제곱"):
        gc.models.build("unet", size=28)
    with pytest.raises(GanBookError, match="U-Net 입력 x.*tensor shape"):
        tiny_unet()(torch.randn(2, 1, 32, 32))


def test_patchgan_shape_and_errors():
    D = gc.models.build("patchgan", in_ch=3, ndf=4, n_layers=1)
    out = D(torch.randn(2, 1, 32, 32), torch.randn(2, 2, 32, 32))
    assert out.shape == (2, 1, 14, 14)  # 32 → 16 → 15 → 14
    out.mean().backward()
    assert all(q.grad is not None for q in D.parameters())
    with pytest.raises(GanBookError, match="PatchGAN 입력"):
        D(torch.randn(2, 1, 32, 32), torch.randn(2, 1, 32, 32))
    with pytest.raises(GanBookError, match="n_layers"):
        gc.models.build("patchgan", n_layers=0)


@pytest.mark.parametrize("name, kw", [("unet", {"size": 16, "ngf": 4}), ("patchgan", {"ndf": 4})])
def test_save_load_roundtrip(tmp_path, name, kw):
    torch.manual_seed(0)
    a = gc.models.build(name, **kw)
    path = gc.checkpoint.save(tmp_path / "m.pt", a, name)
    torch.manual_seed(1)
    b = gc.models.build(name, **kw)
    gc.checkpoint.load(path, b, name)
    assert all(torch.equal(u, v) for u, v in zip(a.state_dict().values(), b.state_dict().values()))


def test_receptive_field_formula():
    # 손으로 거꾸로 센 값: 1 → 4 → 7 → 16 → 34 → 70 (공식 basic D의 층, 뒤에서부터 r ← (r−1)·s + k)
    assert p.receptive_field([(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]) == 70
    assert p.receptive_field([(3, 1)] * 3) == 7
    assert p.receptive_field([(3, 1, 2)]) == 5  # 팽창(dilation) 2
    for n, want in [(1, 16), (2, 34), (3, 70), (4, 142)]:
        assert p.receptive_field(gc.models.build("patchgan", ndf=2, n_layers=n)) == want
    with pytest.raises(GanBookError, match="conv layer"):
        p.receptive_field(nn.Sequential(nn.ReLU()))


@pytest.mark.parametrize("n_layers, size", [(1, 32), (2, 64), (3, 96)])
def test_receptive_field_matches_measurement(n_layers, size):
    D = gc.models.build("patchgan", in_ch=2, ndf=2, n_layers=n_layers).train()
    h, w, mask = p.measured_receptive_field(D, 2, size)
    r = p.receptive_field(D)
    assert h == w == r and mask.sum() == r * r  # 가운데 칸은 가장자리 패딩에 닿지 않는다
    assert D.training  # 원래 모드로 돌려놓는다


def test_skeleton_pairs_are_correct_and_deterministic():
    a = gc.data.load_paired("skeleton2digit", "test", batch_size=8)
    b = gc.data.load_paired("skeleton2digit", "test", batch_size=8, size=28)
    real = gc.data.load("mnist5k", split="test")
    assert a.x.shape == a.y.shape == (1000, 1, 32, 32) and b.x.shape == (1000, 1, 28, 28)
    assert torch.equal(b.y, real.x) and torch.equal(a.meta["labels"], real.y)  # 짝이 같은 숫자
    assert torch.equal(a.y[..., 2:-2, 2:-2], b.y) and (a.y[..., :2, :] == -1).all()
    sk = b.x > 0
    assert set(b.x.unique().tolist()) == {-1.0, 1.0}
    assert (real.x[sk] > 0).all()  # 뼈대는 잉크 위에만 있다
    assert (
        sk.flatten(1).sum(1).min() > 0 and sk.sum() < 0.5 * (real.x > 0).sum()
    )  # 잉크보다 훨씬 적다
    assert torch.equal(gc.data.load_paired("skeleton2digit", "test", size=28).x, b.x)  # 결정적
    xb, yb = next(iter(a.loader))
    assert xb.shape == yb.shape == (8, 1, 32, 32)
    i = (a.x.flatten(1) == xb[0].flatten()).all(1).nonzero()[0, 0]
    assert torch.equal(a.y[i], yb[0])  # loader도 짝을 지킨다


def test_skeleton_of_a_bar_is_a_line():
    x = -torch.ones(1, 1, 9, 15)
    x[..., 3:6, 1:14] = 1  # 굵기 3, 길이 13의 가로 막대
    sk = gc.data.skeleton(x)[0, 0] > 0
    bar = x[0, 0] > 0
    assert not (sk & ~bar).any() and sk.sum() <= 13  # 막대 안에, 길이만큼만
    assert sk[4, 3:11].all() and not sk[3, 3:11].any() and not sk[5, 3:11].any()  # 가운데 줄 하나


def test_load_paired_errors():
    with pytest.raises(
        GanBookError, match=r"unknown 짝 데이터셋\(paired dataset\).*skeleton2digit"
    ):
        gc.data.load_paired("edges2shoes")
    with pytest.raises(GanBookError, match=r"크기\(size\).*28 또는 32"):
        gc.data.load_paired("skeleton2digit", size=64)


def _tiny_data(n=32):
    x = torch.randn(n, 1, 16, 16)
    return gc.data.make_loader(x, x.flip(-1).tanh(), 8)


def _recipe(steps=3):
    return p.Recipe(TrainConfig(steps=steps, batch_size=8, log_every=1), ngf=4, ndf=4)


def test_step_losses_match_the_formulas():
    """D 손실은 BCE의 반, G 손실은 BCE(D(x, G(x)), 1) + λ·L1 (독립 계산과 견준다)."""
    r = _recipe()
    G, D = r.build(size=16)
    step = p.Pix2PixStep(G, D, lam_l1=7.0)
    x, y = torch.randn(4, 1, 16, 16), torch.rand(4, 1, 16, 16)
    d = step.loss("D", (x, y), 0)
    fake = G(x)
    ro, fo = D(x, y), D(x, fake)
    want_d = 0.5 * (
        F.binary_cross_entropy_with_logits(ro, torch.ones_like(ro))
        + F.binary_cross_entropy_with_logits(fo, torch.zeros_like(fo))
    )
    torch.testing.assert_close(d, want_d)
    g = step.loss("G", None, 0)
    want_g = (
        F.binary_cross_entropy_with_logits(fo, torch.ones_like(fo)) + 7.0 * (fake - y).abs().mean()
    )
    torch.testing.assert_close(g, want_g)
    g.backward()
    assert all(q.grad is None for q in D.parameters())  # G 국면은 D에 기울기를 쌓지 않는다


@pytest.mark.parametrize("adversarial, lam", [(True, 100.0), (True, 0.0), (False, 100.0)])
def test_fit_runs_through_the_shared_loop(adversarial, lam):
    r = _recipe()
    G, D = r.build(size=16)
    d0 = [q.clone() for q in D.parameters()]
    g0 = [q.clone() for q in G.parameters()]
    hist = p.fit(G, D, _tiny_data(), r, adversarial=adversarial, lam_l1=lam, progress=False)
    assert hist.step == [1, 2, 3] and len(hist["g_l1"]) == 3
    assert any(not torch.equal(a, b) for a, b in zip(g0, G.parameters()))
    d_moved = any(not torch.equal(a, b) for a, b in zip(d0, D.parameters()))
    assert d_moved == adversarial and (len(hist.d_loss) == 3) == adversarial
    if lam == 0:
        assert hist.g_loss == hist["g_gan"]
    with pytest.raises(GanBookError, match="history key"):
        hist["nope"]


def test_fit_is_reproducible_and_refuses_no_loss():
    outs = []
    for _ in range(2):
        r = _recipe()
        G, D = r.build(size=16)
        p.fit(G, D, _tiny_data(), r, progress=False)
        outs.append(p.translate(G, torch.ones(2, 1, 16, 16)))
    assert torch.equal(*outs)
    with pytest.raises(GanBookError, match="lam_l1 > 0"):
        p.fit(G, D, _tiny_data(), _recipe(), adversarial=False, lam_l1=0.0, progress=False)


def test_gradient_energy_closed_form():
    assert p.gradient_energy(torch.zeros(2, 1, 5, 5)).abs().max() == 0
    checker = (torch.arange(4)[:, None] + torch.arange(4)[None, :]) % 2 * 2.0 - 1  # ±1 바둑판
    e = p.gradient_energy(checker.view(1, 1, 4, 4))
    assert torch.allclose(e, torch.tensor([8.0]))  # 이웃 차이는 모두 ±2: 4 + 4


class _Oracle(nn.Module):
    """조건 이미지를 짝의 목표로 정확히 옮기는 '완벽한' 생성자 (표를 찾아본다)."""

    def __init__(self, bundle):
        super().__init__()
        self.keys, self.vals = bundle.x.flatten(1), bundle.y
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        idx = (x.flatten(1)[:, None] == self.keys[None]).all(-1).float().argmax(1)
        return self.vals[idx]


def test_evaluate_a_perfect_translator():
    te = gc.data.load_paired("skeleton2digit", "test")
    te.x, te.y, te.meta["labels"] = te.x[:200], te.y[:200], te.meta["labels"][:200]
    m = p.evaluate(_Oracle(te), te)
    assert m["l1"] == 0 and abs(m["sharpness"] - 1) < 1e-6
    assert m["acc"] == gc.metrics.label_accuracy(te.y[..., 2:-2, 2:-2], te.meta["labels"])
    blurred = p.evaluate(nn.Sequential(_Oracle(te), nn.AvgPool2d(3, 1, 1)), te)
    assert blurred["sharpness"] < 0.7 and blurred["l1"] > 0
