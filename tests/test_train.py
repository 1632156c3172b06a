"""하나뿐인 학습 루프 fit과 그 도우미들, 체크포인트, MLP 모델."""

import dataclasses
import math

import pytest
import torch
from torch import nn

import gancore as gc
from gancore.errors import GanBookError, TrainingDiverged
from gancore.train import TrainConfig


def tiny_pair(z_dim=2):
    G = gc.models.build("mlp_g", z_dim=z_dim, out_shape=(2,), hidden=(16,), out_act=None)
    D = gc.models.build("mlp_d", in_shape=(2,), hidden=(16,))
    return G, D


def test_mlp_shapes_and_errors():
    G = gc.models.build("mlp_g", z_dim=8, out_shape=(1, 28, 28), hidden=(32,), batchnorm=True)
    D = gc.models.build("mlp_d", in_shape=(1, 28, 28), hidden=(32,))
    x = G(torch.randn(5, 8))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert D(x).shape == (5,)
    assert gc.models.build("mlp_d", in_shape=(2,), out_dim=11)(torch.zeros(3, 2)).shape == (3, 11)
    with pytest.raises(GanBookError, match="생성자 입력 z.*tensor shape"):
        G(torch.randn(5, 9))
    with pytest.raises(GanBookError, match="판별자 입력 x"):
        D(torch.zeros(5, 1, 32, 32))
    with pytest.raises(GanBookError, match=r"unknown 모델\(model\).*mlp_g"):
        gc.models.build("stylegan9")
    assert gc.models.n_params(D) == 784 * 32 + 32 + 32 + 1


def test_fit_runs_logs_and_callbacks():
    G, D = tiny_pair()
    data = gc.data.load("ring8", batch_size=32, n=512)
    seen = []
    cfg = TrainConfig(steps=20, batch_size=32, z_dim=2, n_critic=2, log_every=5)
    hist = gc.train.fit(
        G,
        D,
        data,
        cfg,
        callbacks=[gc.train.every(10, lambda s: seen.append(s.step))],
        progress=False,
    )
    assert seen == [1, 10, 20]
    assert hist.step == [1, 5, 10, 15, 20]
    assert all(0 <= v <= 1 for v in hist.d_real + hist.d_fake)
    assert hist.seconds > 0 and not G.training


def test_fit_is_reproducible():
    outs = []
    for _ in range(2):
        G, D = tiny_pair()
        torch.manual_seed(0)
        G, D = tiny_pair()
        gc.train.fit(
            G,
            D,
            gc.data.load("ring8", batch_size=16, n=256),
            TrainConfig(steps=5, batch_size=16, z_dim=2),
            progress=False,
        )
        outs.append(gc.train.sample(G, 10, 2))
    assert torch.equal(*outs)


def test_fit_updates_both_players_and_n_critic():
    G, D = tiny_pair()
    g0 = [p.clone() for p in G.parameters()]
    calls = []
    gc.train.fit(
        G,
        D,
        gc.data.load("ring8", batch_size=16, n=256),
        TrainConfig(steps=3, batch_size=16, z_dim=2, n_critic=4),
        after_d_step=lambda d: calls.append(1),
        progress=False,
    )
    assert len(calls) == 12  # k=4 판별자 단계 × 3 생성자 단계
    assert any(not torch.equal(a, b) for a, b in zip(g0, G.parameters()))


def test_d_reg_is_added():
    G, D = tiny_pair()
    got = []

    def reg(D, real, fake, cond):
        got.append((real.shape, fake.shape, cond))
        return torch.zeros(())

    gc.train.fit(
        G,
        D,
        gc.data.load("ring8", batch_size=8, n=64),
        TrainConfig(steps=2, batch_size=8, z_dim=2),
        d_reg=reg,
        progress=False,
    )
    assert got[0] == (
        torch.Size([8, 2]),
        torch.Size([8, 2]),
        None,
    )  # 조건 없는 모델에는 레이블을 넘기지 않는다


def test_fit_conditional_passes_labels():
    class CondG(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(3, 2)

        def forward(self, z, y):
            return z + self.emb(y)

    class CondD(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 3)

        def forward(self, x, y):
            assert y.max() < 3
            return self.lin(x).gather(1, y[:, None]).squeeze(1)

    x = torch.randn(64, 2)
    y = torch.randint(3, (64,))
    hist = gc.train.fit(
        CondG(),
        CondD(),
        gc.data.make_loader(x, y, 16),
        TrainConfig(steps=3, batch_size=16, z_dim=2),
        n_classes=3,
        progress=False,
    )
    assert len(hist.step) == 2


def test_nan_stops_with_message():
    G, D = tiny_pair()

    def bad_loss(fake_out):
        return fake_out.mean() * float("nan")

    pair = gc.losses.LossPair("bad", gc.losses.d_bce, bad_loss)
    with pytest.raises(TrainingDiverged, match=r"발산했습니다\(training diverged\).*1단계"):
        gc.train.fit(
            G,
            D,
            gc.data.load("ring8", batch_size=8, n=64),
            TrainConfig(steps=5, batch_size=8, z_dim=2),
            loss=pair,
            progress=False,
        )


def test_ema_tracks_generator():
    G, D = tiny_pair()
    hist = gc.train.fit(
        G,
        D,
        gc.data.load("ring8", batch_size=8, n=64),
        TrainConfig(steps=10, batch_size=8, z_dim=2, ema_decay=0.5),
        progress=False,
    )
    ema = hist.g_ema.module
    assert ema is not G and ema.net[0].weight.shape == G.net[0].weight.shape
    assert not torch.equal(ema.net[0].weight, G.net[0].weight)
    diff = (ema.net[0].weight - G.net[0].weight).abs().max().item()
    assert diff < 0.05  # decay 0.5면 최근 몇 단계의 평균이라 가깝다


def test_config_validation():
    with pytest.raises(GanBookError):
        TrainConfig(steps=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().steps = 3  # frozen


def test_fit_discriminator_reaches_optimum_on_separable_data():
    D = gc.models.build("mlp_d", in_shape=(1,), hidden=(8,))
    real, fake = torch.full((64, 1), 1.0), torch.full((64, 1), -1.0)
    losses = gc.train.fit_discriminator(D, real, fake, steps=200, lr=1e-2, progress=False)
    assert losses[-1] < 0.05 < losses[0]


def test_sample_shapes_and_seed():
    G, _ = tiny_pair(z_dim=3)
    a, b = gc.train.sample(G, 7, 3, seed=1, batch=3), gc.train.sample(G, 7, 3, seed=1)
    assert a.shape == (7, 2) and torch.allclose(a, b)


def test_checkpoint_roundtrip_and_refusals(tmp_path):
    G, D = tiny_pair()
    cfg = TrainConfig(steps=7)
    path = gc.checkpoint.save(tmp_path / "g.pt", G, "mlp_g", cfg, note="x")
    G2, _ = tiny_pair()
    info = gc.checkpoint.load(path, G2, "mlp_g")
    assert info["config"]["steps"] == 7 and info["extra"] == {"note": "x"}
    assert all(torch.equal(a, b) for a, b in zip(G.state_dict().values(), G2.state_dict().values()))
    with pytest.raises(GanBookError, match=r"checkpoint from another model.*'mlp_g'.*'dcgan_g'"):
        gc.checkpoint.load(path, G2, "dcgan_g")
    other = gc.models.build("mlp_g", z_dim=2, out_shape=(2,), hidden=(32,), out_act=None)
    with pytest.raises(GanBookError, match=r"shape mismatch"):
        gc.checkpoint.load(path, other, "mlp_g")
    with pytest.raises(GanBookError, match="checkpoint not found"):
        gc.checkpoint.load(tmp_path / "none.pt", G2, "mlp_g")
    torch.save({"weights": 1}, tmp_path / "foreign.pt")
    with pytest.raises(GanBookError, match="not a gancore checkpoint"):
        gc.checkpoint.load(tmp_path / "foreign.pt", G2, "mlp_g")


def test_losses_basic_values():
    zero = torch.zeros(4)
    assert math.isclose(gc.losses.d_bce(zero, zero).item(), 2 * math.log(2), rel_tol=1e-6)
    assert math.isclose(gc.losses.g_nonsaturating(zero).item(), math.log(2), rel_tol=1e-6)
    assert math.isclose(gc.losses.g_minimax(zero).item(), -math.log(2), rel_tol=1e-6)


@pytest.mark.parametrize("share", [True, False])
def test_share_fake_reuses_the_generator_pass(share):
    """share_fake: 생성자 순전파는 단계마다 한 번, D 단계에는 떼어 낸(detach) 같은 배치가 간다."""
    G, D = tiny_pair()
    g_calls, d_inputs, reg_fakes = [], [], []
    G.register_forward_hook(lambda m, i, o: g_calls.append(1))
    D.register_forward_hook(lambda m, i, o: d_inputs.append(i[0]))

    def reg(D, real, fake, cond):
        reg_fakes.append(fake.requires_grad)
        return torch.zeros(())

    cfg = TrainConfig(steps=3, batch_size=16, z_dim=2, share_fake=share)
    gc.train.fit(G, D, gc.data.load("ring8", batch_size=16, n=256), cfg, d_reg=reg, progress=False)
    assert len(g_calls) == (3 if share else 6)
    assert reg_fakes == [False] * 3  # 벌점 항은 생성자로 기울기를 흘리지 않는다
    fake_d, fake_g = d_inputs[1], d_inputs[2]  # 1단계: 진짜, 가짜(D 단계), 가짜(G 단계)
    assert not fake_d.requires_grad and fake_g.requires_grad
    assert torch.equal(fake_d, fake_g) == share


def test_fused_adam_is_passed_and_keeps_the_math(monkeypatch):
    """fused_adam: fit이 만드는 두 Adam에 fused=True가 가고, 결과는 기본 구현과 반올림 수준에서만 다르다."""
    made = []
    real_adam = torch.optim.Adam

    def spy(params, **kw):
        made.append(kw.get("fused"))
        return real_adam(params, **kw)

    monkeypatch.setattr(torch.optim, "Adam", spy)
    outs = {}
    for fused in (False, True):
        torch.manual_seed(0)
        G, D = tiny_pair()
        cfg = TrainConfig(steps=5, batch_size=16, z_dim=2, fused_adam=fused)
        gc.train.fit(G, D, gc.data.load("ring8", batch_size=16, n=256), cfg, progress=False)
        outs[fused] = gc.train.sample(G, 10, 2)
    assert made == [None, None, True, True]
    torch.testing.assert_close(outs[True], outs[False], rtol=1e-4, atol=1e-5)


def test_checkpoint_config_as_dataclass():
    """as_config: 저장 뒤에 생긴 필드는 기본값, 리스트는 튜플, 모르는 키는 거절."""
    cfg = TrainConfig(steps=7, betas=(0.0, 0.9))
    stored = dataclasses.asdict(cfg)
    stored["betas"] = list(stored["betas"])  # 직렬화를 거치면 리스트가 된다
    del stored["fused_adam"]  # 이 필드가 생기기 전에 저장한 체크포인트
    assert gc.checkpoint.as_config(stored, TrainConfig) == cfg
    with pytest.raises(GanBookError, match=r"unknown config keys.*\['lr'\]"):
        gc.checkpoint.as_config({**stored, "lr": 1e-3}, TrainConfig)


# --- fit_net: 네트워크 하나의 지도 학습 ---------------------------------------------------


def test_fit_net_least_squares_matches_closed_form():
    """전체 배치 선형 회귀를 fit_net으로 풀면 numpy의 최소제곱 해와 같다."""
    import numpy as np

    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 3, generator=g)
    y = x @ torch.tensor([1.5, -2.0, 0.5]) + 0.3 + 0.01 * torch.randn(200, generator=g)
    net = torch.nn.Linear(3, 1)
    hist = gc.train.fit_net(
        net, lambda m, _: ((m(x).squeeze(1) - y) ** 2).mean(), 600, lr=5e-2, progress=False
    )
    a = np.c_[x.numpy(), np.ones(200)]
    want, *_ = np.linalg.lstsq(a, y.numpy(), rcond=None)
    got = np.r_[net.weight.detach().numpy().ravel(), net.bias.detach().numpy()]
    np.testing.assert_allclose(got, want, atol=1e-3)
    assert hist["loss"][-1] < hist["loss"][0] and not net.training  # 끝나면 평가 모드


def test_fit_net_batches_after_and_callbacks():
    """data의 배치를 차례로 받고(끝나면 다시 처음부터), after와 콜백을 단계마다 부른다."""
    seen, afters, steps = [], [], []
    data = [(torch.full((2, 1), float(i)),) for i in range(3)]
    net = torch.nn.Linear(1, 1)

    def loss_fn(m, batch):
        seen.append(batch[0][0, 0].item())
        return m(batch[0]).mean()

    gc.train.fit_net(
        net,
        loss_fn,
        5,
        data=data,
        after=lambda: afters.append(1),
        callbacks=[lambda st: steps.append((st.step, st.nets["net"] is net))],
        progress=False,
    )
    assert seen == [0.0, 1.0, 2.0, 0.0, 1.0]
    assert len(afters) == 5 and steps == [(i, True) for i in range(1, 6)]


def test_fit_net_stops_on_nan_with_korean_message():
    net = torch.nn.Linear(1, 1)
    with pytest.raises(gc.errors.TrainingDiverged, match="발산"):
        gc.train.fit_net(net, lambda m, _: m.weight.sum() * float("nan"), 3, progress=False)
