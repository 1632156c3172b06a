"""준지도 GAN: (K+1)-클래스 판별자, gan_logit = logsumexp, 손실, 특징 맞추기, 레이블 부분집합, 기준선 학습."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import gancore as gc
from gancore import semi
from gancore.errors import GanBookError
from gancore.train import TrainConfig

TINY = {"hidden": (12, 6), "input_noise": 0.0, "hidden_noise": 0.0}


def _p_real_via_k_plus_1(logits: torch.Tensor) -> torch.Tensor:
    """독립 계산: 가짜 로짓 0을 붙인 (K+1)-클래스 softmax에서 1 - p(가짜)."""
    full = torch.cat([logits, torch.zeros(len(logits), 1, dtype=logits.dtype)], dim=1)  # (B, K+1)
    return 1 - full.softmax(1)[:, -1]


# --- 모델 -----------------------------------------------------------------------------------


def test_classifier_shapes_features_backward():
    D = gc.models.build("sgan_d", n_classes=10, hidden=(20, 7))
    x = torch.randn(4, 1, 28, 28, requires_grad=True)
    out = D(x)
    assert out.shape == (4, 10)
    assert D.features.shape == (4, 7) and D.last_logits is out
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in D.parameters())


def test_noise_only_in_train_mode():
    D = gc.models.build("sgan_d", hidden=(16,), input_noise=0.3, hidden_noise=0.5)
    x = torch.randn(3, 1, 28, 28)
    D.train()
    assert not torch.allclose(D(x), D(x))  # 가우시안 잡음: 부를 때마다 다르다
    D.eval()
    assert torch.equal(D(x), D(x))


def test_classifier_errors():
    with pytest.raises(GanBookError, match="n_classes"):
        gc.models.build("sgan_d", n_classes=1)
    with pytest.raises(GanBookError, match="hidden"):
        gc.models.build("sgan_d", hidden=())
    D = gc.models.build("sgan_d", **TINY)
    with pytest.raises(GanBookError, match="텐서 모양"):
        D(torch.randn(2, 784))


# --- D(x) = Z/(Z+1) ---------------------------------------------------------------------


def test_gan_logit_is_z_over_z_plus_1():
    logits = torch.randn(50, 10, dtype=torch.float64) * 3
    z = logits.exp().sum(1)  # Z(x) = Σ_k exp l_k
    d = torch.sigmoid(semi.gan_logit(logits))
    assert torch.allclose(d, z / (z + 1))
    assert torch.allclose(d, _p_real_via_k_plus_1(logits))


def test_gan_logit_stable_for_large_logits():
    logits = torch.tensor([[1000.0, 0.0], [-1000.0, -1000.0]])
    g = semi.gan_logit(logits)
    assert torch.isfinite(g).all()
    assert g[0].item() == pytest.approx(1000.0)
    assert g[1].item() == pytest.approx(-1000.0 + torch.log(torch.tensor(2.0)).item())


def test_gan_logit_shape_error():
    with pytest.raises(GanBookError, match="로짓"):
        semi.gan_logit(torch.randn(5))


def test_d_and_g_losses_match_direct_computation():
    real = torch.randn(30, 10, dtype=torch.float64)
    fake = torch.randn(40, 10, dtype=torch.float64) - 1
    d_real, d_fake = _p_real_via_k_plus_1(real), _p_real_via_k_plus_1(fake)
    want_d = -d_real.log().mean() - (1 - d_fake).log().mean()
    assert semi.d_sgan(real, fake).item() == pytest.approx(want_d.item(), rel=1e-9)
    assert semi.g_sgan(fake).item() == pytest.approx(-d_fake.log().mean().item(), rel=1e-9)


def test_shifting_all_logits_changes_d_but_not_class_posterior():
    """K개 로짓에 같은 상수를 더하면 클래스 확률은 그대로, 진짜일 확률만 바뀐다: 과매개변수화가 사라진다."""
    logits = torch.randn(8, 10)
    shifted = logits + 2.0
    assert torch.allclose(logits.softmax(1), shifted.softmax(1), atol=1e-6)
    assert (semi.gan_logit(shifted) > semi.gan_logit(logits)).all()


# --- 특징 맞추기 -------------------------------------------------------------------------


def test_feature_matching_value_and_gradients():
    torch.manual_seed(0)
    D = gc.models.build("sgan_d", **TINY)
    x_real = torch.randn(20, 1, 28, 28)
    g_loss = semi.feature_matching(D, x_real, batch_size=8, seed=3)
    fake = torch.randn(5, 1, 28, 28, requires_grad=True)
    loss = g_loss(D(fake))
    # 독립 계산: 같은 시드의 첫 미니배치로 진짜 특징 평균을 다시 잰다
    perm = torch.randperm(20, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        D(x_real[perm[:8]])
        f_real = D.features.mean(0)
        D(fake)
        f_fake = D.features.mean(0)
    assert loss.item() == pytest.approx(((f_real - f_fake) ** 2).mean().item(), rel=1e-5)
    loss.backward()
    assert fake.grad is not None and fake.grad.abs().sum() > 0  # 생성자 쪽으로 기울기가 흐른다


def test_feature_matching_zero_when_fake_equals_real_batch():
    D = gc.models.build("sgan_d", **TINY)
    x_real = torch.randn(8, 1, 28, 28)
    g_loss = semi.feature_matching(D, x_real, batch_size=8, seed=0)
    assert g_loss(D(x_real.flip(0))).item() == pytest.approx(
        0.0, abs=1e-10
    )  # 같은 집합, 순서만 다름


def test_feature_matching_needs_fresh_discriminator_output():
    D = gc.models.build("sgan_d", **TINY)
    g_loss = semi.feature_matching(D, torch.randn(8, 1, 28, 28), batch_size=4)
    out = D(torch.randn(3, 1, 28, 28))
    with pytest.raises(GanBookError, match="feature matching"):
        g_loss(out.clone())


def test_sgan_loss_variants():
    assert semi.sgan_loss(feature_matching_g=False).g_loss is semi.g_sgan
    with pytest.raises(GanBookError, match="feature matching"):
        semi.sgan_loss()
    D = gc.models.build("sgan_d", **TINY)
    pair = semi.sgan_loss(D, torch.randn(8, 1, 28, 28), batch_size=4)
    assert pair.name == "sgan_fm" and pair.d_loss is semi.d_sgan


# --- 레이블 있는 항 ------------------------------------------------------------------------


def test_supervised_term_is_cross_entropy_on_labelled_batch():
    D = gc.models.build("sgan_d", **TINY)
    x = torch.randn(10, 1, 28, 28)
    y = torch.arange(10)
    reg = semi.supervised_term(x, y, batch_size=4, weight=0.5, seed=7)
    val = reg(D, torch.zeros(2, 1, 28, 28), torch.zeros(2, 1, 28, 28), None)
    idx = torch.randperm(10, generator=torch.Generator().manual_seed(7))[:4]
    want = 0.5 * F.cross_entropy(D(x[idx]), y[idx])
    assert val.item() == pytest.approx(want.item(), rel=1e-6)
    val.backward()
    assert all(p.grad is not None for p in D.parameters())


@pytest.mark.parametrize(
    "y,msg", [(torch.zeros(10), "int64"), (torch.zeros(9, dtype=torch.long), "텐서 모양")]
)
def test_labelled_data_errors(y, msg):
    with pytest.raises(GanBookError, match=msg):
        semi.supervised_term(torch.randn(10, 1, 28, 28), y)


# --- 레이블 부분집합 ----------------------------------------------------------------------


def test_label_subset_balanced_and_deterministic():
    y = torch.arange(10).repeat(30)[torch.randperm(300)]
    idx = semi.label_subset(y, per_class=4, seed=1)
    assert idx.shape == (40,) and len(torch.unique(idx)) == 40
    assert torch.bincount(y[idx], minlength=10).tolist() == [4] * 10
    assert torch.equal(idx, semi.label_subset(y, per_class=4, seed=1))
    assert not torch.equal(idx, semi.label_subset(y, per_class=4, seed=2))


def test_label_subset_errors():
    y = torch.tensor([0, 0, 1])
    with pytest.raises(GanBookError, match="클래스"):
        semi.label_subset(y, per_class=2)
    with pytest.raises(GanBookError, match="per_class"):
        semi.label_subset(y, per_class=0)


def test_chapter_split_keeps_test_digits_out():
    """장의 설정: 레이블 100장과 레이블 없는 데이터는 모두 train 분할에서, test 1000장과 겹치지 않는다."""
    tr, te = gc.data.load("mnist5k", split="train"), gc.data.load("mnist5k", split="test")
    idx = semi.label_subset(tr.y, 10, seed=0)
    assert torch.bincount(tr.y[idx], minlength=10).tolist() == [10] * 10
    train_imgs = {bytes(r.numpy()) for r in tr.x.flatten(1)}
    assert not any(bytes(r.numpy()) in train_imgs for r in te.x.flatten(1))


# --- 정확도와 기준선 학습 ------------------------------------------------------------------


class _Fixed(nn.Module):
    """x의 첫 픽셀 값을 예측 클래스로 내는 가짜 모델."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return F.one_hot(x.flatten(1)[:, 0].long(), 3).float()


def test_accuracy_overall_and_per_class():
    pred = torch.tensor([0, 0, 1, 2, 2, 2])
    y = torch.tensor([0, 1, 1, 2, 2, 0])
    x = pred.float().view(-1, 1, 1, 1)
    model = _Fixed().train()
    assert semi.accuracy(model, x, y) == pytest.approx(4 / 6)
    acc, per = semi.accuracy(model, x, y, per_class=True)
    assert acc == pytest.approx(4 / 6) and per == pytest.approx([0.5, 0.5, 1.0])
    assert model.training  # 평가 모드는 잠깐만


def test_train_classifier_learns_and_is_deterministic():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat(20)
    x = torch.randn(60, 1, 28, 28, generator=gen) * 0.1
    x[:, 0, 0, :3] += 3 * F.one_hot(y, 3).float()  # 클래스마다 밝은 픽셀 하나
    runs = []
    for _ in range(2):
        model = gc.models.build("sgan_d", n_classes=3, **TINY)
        losses = semi.train_classifier(
            model, x, y, steps=60, batch_size=20, lr=1e-2, progress=False
        )
        runs.append(losses)
        assert losses[-1] < 0.5 * losses[0]
        assert semi.accuracy(model, x, y) == 1.0
        assert not model.training
    assert runs[0] == runs[1]


def test_fit_runs_sgan_with_supervised_term():
    x = torch.randn(40, 1, 28, 28).clamp(-1, 1)
    y = torch.arange(10).repeat(4)
    D = gc.models.build("sgan_d", hidden=(16, 8))
    G = gc.models.build("mlp_g", z_dim=4, hidden=(8,), batchnorm=True)
    cfg = TrainConfig(steps=3, batch_size=10, z_dim=4, log_every=1)
    loader = gc.data.make_loader(x, batch_size=10)
    hist = gc.train.fit(
        G,
        D,
        loader,
        cfg,
        loss=semi.sgan_loss(D, x, batch_size=10),
        d_reg=semi.supervised_term(x, y, batch_size=10),
        progress=False,
    )
    assert hist.step == [1, 2, 3] and all(torch.isfinite(torch.tensor(hist.g_loss)))


def test_train_classifier_callbacks():
    x, y = torch.randn(20, 1, 28, 28), torch.arange(10).repeat(2)
    calls = []
    model = gc.models.build("sgan_d", **TINY)
    semi.train_classifier(
        model,
        x,
        y,
        steps=5,
        batch_size=10,
        progress=False,
        callbacks=[lambda s, m: calls.append((s, m))],
    )
    assert [s for s, _ in calls] == [1, 2, 3, 4, 5] and all(m is model for _, m in calls)
