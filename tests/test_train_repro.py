"""`fit`이 일반 학습 루프(`train.run`) 위의 얇은 포장이 된 뒤에도 예전 `fit`과 비트 단위로 같은 결과를 낸다.

아래 EXPECTED는 루프를 고치기 전의 `fit`(커밋 269e1fc)으로 기록한 값이다: 기록(History)의 모든 값과 학습이 끝난
G, D(, EMA)의 파라미터 해시. 한 비트라도 달라지면 이 테스트가 실패한다.
"""

import hashlib

import pytest
import torch
from torch import nn

import gancore as gc
from gancore.train import TrainConfig


class CondG(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(3, 2)
        self.lin = nn.Linear(2, 2)

    def forward(self, z, y):
        return self.lin(z) + self.emb(y)


class CondD(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 3)

    def forward(self, x, y):
        return self.lin(x).gather(1, y[:, None]).squeeze(1)


def tiny_pair():
    G = gc.models.build("mlp_g", z_dim=2, out_shape=(2,), hidden=(16,), out_act=None)
    D = gc.models.build("mlp_d", in_shape=(2,), hidden=(16,))
    return G, D


def digest(*mods):
    h = hashlib.sha256()
    for m in mods:
        for k, v in m.state_dict().items():
            h.update(k.encode())
            h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def run_case(name, fit_fn=None):
    fit_fn = fit_fn or gc.train.fit
    torch.manual_seed(0)
    kw = {}
    data = gc.data.load("ring8", batch_size=16, n=256)
    cfg = dict(steps=12, batch_size=16, z_dim=2, log_every=4)
    if name == "ns":
        G, D = tiny_pair()
    elif name == "wgan_gp_ncritic3":
        G, D = tiny_pair()
        cfg.update(n_critic=3, betas=(0.0, 0.9))
        kw.update(loss="wgan", d_reg=gc.losses.gradient_penalty)
    elif name == "clip_hinge":
        G, D = tiny_pair()
        cfg.update(n_critic=2)
        kw.update(loss="hinge", after_d_step=gc.losses.weight_clipper(0.05))
    elif name == "conditional":
        G, D = CondG(), CondD()
        x = torch.randn(64, 2)
        y = torch.randint(3, (64,))
        data = gc.data.make_loader(x, y, 16)
        kw.update(n_classes=3, loss="lsgan")
    elif name == "share_fake_ema":
        G, D = tiny_pair()
        cfg.update(share_fake=True, ema_decay=0.9, n_critic=2, lr_g=1e-3)
    elif name == "ema_minimax_fused":
        G, D = tiny_pair()
        cfg.update(ema_decay=0.5, fused_adam=True)
        kw.update(loss="minimax")
    else:
        raise KeyError(name)
    hist = fit_fn(G, D, data, TrainConfig(**cfg), progress=False, **kw)
    out = {
        "step": hist.step,
        "d_loss": hist.d_loss,
        "g_loss": hist.g_loss,
        "d_real": hist.d_real,
        "d_fake": hist.d_fake,
        "d_output": hist.d_output,
        "params": digest(G, D) if hist.g_ema is None else digest(G, D, hist.g_ema),
    }
    return out


EXPECTED = {
    "ns": {
        "step": [1, 4, 8, 12],
        "d_loss": [1.3903552293777466, 1.3664813041687012, 1.3594257831573486, 1.3929980993270874],
        "g_loss": [0.6077456474304199, 0.6082282662391663, 0.6100137233734131, 0.6058539748191833],
        "d_real": [0.5493321418762207, 0.5616896748542786, 0.5652424693107605, 0.5467131733894348],
        "d_fake": [0.545759916305542, 0.5448081493377686, 0.5446926355361938, 0.5443204641342163],
        "d_output": "prob",
        "params": "90464c13d1ff672f",
    },
    "wgan_gp_ncritic3": {
        "step": [1, 4, 8, 12],
        "d_loss": [7.101984977722168, 7.102065563201904, 6.804429054260254, 6.628367900848389],
        "g_loss": [
            -0.18116705119609833,
            -0.17518889904022217,
            -0.17942531406879425,
            -0.18249361217021942,
        ],
        "d_real": [
            0.24304434657096863,
            0.18413278460502625,
            0.26861101388931274,
            0.3070308566093445,
        ],
        "d_fake": [
            0.18447278439998627,
            0.1814798265695572,
            0.17531204223632812,
            0.18131296336650848,
        ],
        "d_output": "score",
        "params": "b8d57cf7a0120f09",
    },
    "clip_hinge": {
        "step": [1, 4, 8, 12],
        "d_loss": [1.999898910522461, 1.9999138116836548, 2.0002963542938232, 1.9992544651031494],
        "g_loss": [
            -0.05026528984308243,
            -0.05031752586364746,
            -0.050261806696653366,
            -0.050240810960531235,
        ],
        "d_real": [
            0.05017411336302757,
            0.05001438781619072,
            0.04973231256008148,
            0.05102592334151268,
        ],
        "d_fake": [
            0.05007307231426239,
            0.049928195774555206,
            0.050028614699840546,
            0.050280481576919556,
        ],
        "d_output": "score",
        "params": "1ee12898f90754f8",
    },
    "conditional": {
        "step": [1, 4, 8, 12],
        "d_loss": [0.7832602858543396, 0.7654815316200256, 0.6400965452194214, 0.6421610116958618],
        "g_loss": [0.8384960889816284, 0.8748590350151062, 0.9072765111923218, 1.146790862083435],
        "d_real": [
            0.22232404351234436,
            0.39106443524360657,
            0.22800055146217346,
            0.31186744570732117,
        ],
        "d_fake": [
            -0.3479461967945099,
            -0.45576584339141846,
            -0.04541362076997757,
            -0.3530028462409973,
        ],
        "d_output": "score",
        "params": "6722e03bb2062c0b",
    },
    "share_fake_ema": {
        "step": [1, 4, 8, 12],
        "d_loss": [1.353249430656433, 1.3592031002044678, 1.3652279376983643, 1.3584644794464111],
        "g_loss": [0.6078383922576904, 0.6077911257743835, 0.608629047870636, 0.6037803888320923],
        "d_real": [0.5684154033660889, 0.5652708411216736, 0.5618721842765808, 0.5680637359619141],
        "d_fake": [0.5445839166641235, 0.5446179509162903, 0.5441672205924988, 0.546798586845398],
        "d_output": "prob",
        "params": "d58de5b62591b22c",
    },
    "ema_minimax_fused": {
        "step": [1, 4, 8, 12],
        "d_loss": [1.3903552293777466, 1.3664814233779907, 1.3594262599945068, 1.3929972648620605],
        "g_loss": [
            -0.7865616083145142,
            -0.7859923839569092,
            -0.7838936448097229,
            -0.7888405323028564,
        ],
        "d_real": [0.5493321418762207, 0.5616896748542786, 0.5652424693107605, 0.5467131733894348],
        "d_fake": [0.545759916305542, 0.5448081493377686, 0.544692873954773, 0.5443201065063477],
        "d_output": "prob",
        "params": "835e9c03f546b149",
    },
}


CASES = tuple(EXPECTED)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("fn", ["fit", "fit_on_run"])
def test_fit_reproduces_the_recorded_runs(name, threads, fn):
    """`fit`과, 일반 루프 `run` 위의 `fit_on_run`이 기록해 둔 결과를 비트 단위로 재현한다."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        got = run_case(name, getattr(gc.train, fn))
    finally:
        torch.set_num_threads(before)
    assert got == EXPECTED[name]
