"""조건부 GAN(cgan_g, cgan_d): 모양, 역전파, 레이블 검사와 오류 메시지, 조건이 실제로 쓰이는지, 트레이너 연동."""

import pytest
import torch
import torch.nn.functional as F

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import cgan
from gancore.models.cgan import LabelCode, check_labels
from gancore.train import TrainConfig

TINY_G = {"z_dim": 8, "ch": 4, "embed_dim": 3, "hidden": (16, 16)}
TINY_D = {"ch": 4, "embed_dim": 3, "hidden": (16, 8)}
VARIANTS = [(a, c) for a in ("conv", "mlp") for c in ("onehot", "embed")]


@pytest.mark.parametrize("arch,cond", VARIANTS)
def test_generator_shape_range_backward(arch, cond):
    G = gc.models.build("cgan_g", arch=arch, cond=cond, **TINY_G)
    y = torch.tensor([0, 3, 9, 3])
    x = G(torch.randn(4, 8), y)
    assert x.shape == (4, 1, 28, 28)
    assert x.abs().max() <= 1.0  # tanh
    x.square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


@pytest.mark.parametrize("arch,cond", VARIANTS)
def test_discriminator_shape_backward(arch, cond):
    D = gc.models.build("cgan_d", arch=arch, cond=cond, **TINY_D)
    x = torch.randn(5, 1, 28, 28, requires_grad=True)
    out = D(x, torch.tensor([1, 2, 3, 4, 5]))
    assert out.shape == (5,)
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in D.parameters())


@pytest.mark.parametrize("arch,cond", VARIANTS)
def test_output_depends_on_label(arch, cond):
    """같은 z(같은 x)라도 레이블이 다르면 출력이 달라야 한다: 조건이 실제로 입력에 들어간다."""
    G = gc.models.build("cgan_g", arch=arch, cond=cond, **TINY_G).eval()
    D = gc.models.build("cgan_d", arch=arch, cond=cond, **TINY_D).eval()
    z = torch.randn(1, 8).expand(10, -1)  # 같은 z 열 개
    y = torch.arange(10)
    imgs = G(z, y)
    assert (imgs - imgs[:1]).abs().flatten(1).amax(1)[1:].min() > 0
    x = torch.randn(1, 1, 28, 28).expand(10, -1, -1, -1)
    out = D(x, y)
    assert len(torch.unique(out)) == 10


def test_label_code_onehot_and_embedding():
    y = torch.tensor([2, 0, 1])
    onehot = LabelCode(3, "onehot")
    assert onehot.dim == 3 and not list(onehot.parameters())
    assert torch.equal(onehot(y), F.one_hot(y, 3).float())
    emb = LabelCode(3, "embed", embed_dim=5)
    assert emb.dim == 5
    # 임베딩은 원-핫 벡터에 표 W를 곱한 것과 같다
    assert torch.allclose(emb(y), F.one_hot(y, 3).float() @ emb.table.weight)


def test_generator_input_is_concatenation():
    """G의 몸통이 받는 것은 [z ; c(y)]: 첫 선형층 입력 차원이 z_dim + 조건 차원이다."""
    G = gc.models.build("cgan_g", z_dim=8, cond="onehot", n_classes=10, arch="conv", ch=4)
    assert G.body[0].in_features == 8 + 10
    D = gc.models.build("cgan_d", cond="embed", embed_dim=3, arch="conv", ch=4)
    assert D.body[0].in_channels == 1 + 3


@pytest.mark.parametrize(
    "y,msg",
    [
        (torch.tensor([0.0, 1.0]), "정수형"),
        (torch.tensor([[0, 1]]), "텐서 모양"),
        (torch.tensor([0, 10]), "범위"),
        (torch.tensor([-1, 2]), "범위"),
        ([0, 1], "정수형"),
    ],
)
def test_bad_labels_raise_clear_errors(y, msg):
    with pytest.raises(GanBookError, match=msg):
        check_labels(y, 10)


def test_label_count_must_match_batch():
    G = gc.models.build("cgan_g", **TINY_G)
    with pytest.raises(GanBookError, match="레이블"):
        G(torch.randn(3, 8), torch.tensor([0, 1]))
    D = gc.models.build("cgan_d", **TINY_D)
    with pytest.raises(GanBookError, match="판별자 입력"):
        D(torch.randn(2, 784), torch.tensor([0, 1]))


def test_unknown_names():
    with pytest.raises(GanBookError, match="conditioning"):
        gc.models.build("cgan_g", cond="film")
    with pytest.raises(GanBookError, match="architecture"):
        gc.models.build("cgan_d", arch="resnet")
    with pytest.raises(GanBookError, match="n_classes"):
        LabelCode(1, "onehot")


def test_fit_and_sample_conditional():
    """트레이너가 n_classes로 G(z, y), D(x, y)를 부르고, sample이 요청한 레이블로 뽑는다."""
    data = gc.data.load("mnist5k", batch_size=16)
    G = gc.models.build("cgan_g", **TINY_G)
    D = gc.models.build("cgan_d", **TINY_D)
    cfg = TrainConfig(steps=3, batch_size=16, z_dim=8, log_every=1)
    hist = gc.train.fit(G, D, data, cfg, n_classes=10, progress=False)
    assert hist.step == [1, 2, 3]
    y = torch.arange(10).repeat_interleave(2)
    x = gc.train.sample(G, 20, 8, y=y, seed=0)
    assert x.shape == (20, 1, 28, 28)
    assert torch.equal(x, gc.train.sample(G, 20, 8, y=y, seed=0))  # 시드 고정
    acc = gc.metrics.label_accuracy(x, y)
    assert 0.0 <= acc <= 1.0


def test_wrong_label_term_uses_only_wrong_labels():
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, x, y):
            seen.append(y.clone())
            return x.flatten(1)[:, 0]  # 로짓 = 첫 픽셀

    y = torch.arange(10).repeat(50)
    real = torch.randn(500, 1, 28, 28)
    val = cgan.wrong_label_term(10, weight=2.0)(Spy(), real, real, y)
    assert (seen[0] != y).all() and seen[0].min() >= 0 and seen[0].max() <= 9
    assert len(torch.unique(seen[0][y == 3])) == 9  # 틀린 레이블은 나머지 아홉 가지에 고루
    want = 2.0 * torch.log1p(torch.exp(real.flatten(1)[:, 0])).mean()  # -log(1 - sigmoid(a))
    assert val.item() == pytest.approx(want.item(), rel=1e-5)


def test_wrong_label_term_gradient_and_errors():
    D = gc.models.build("cgan_d", **TINY_D)
    val = cgan.wrong_label_term(10)(D, torch.randn(4, 1, 28, 28), None, torch.tensor([0, 1, 2, 3]))
    val.backward()
    assert all(p.grad is not None for p in D.parameters())
    with pytest.raises(GanBookError, match="n_classes"):
        cgan.wrong_label_term(10)(D, torch.randn(4, 1, 28, 28), None, None)
    with pytest.raises(GanBookError, match="weight"):
        cgan.wrong_label_term(10, weight=-1.0)
