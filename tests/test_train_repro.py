"""`fit`이 일반 학습 루프(`train.run`) 위의 얇은 포장이 된 뒤에도 예전 `fit`과 비트 단위로 같은 결과를 낸다.

비교 대상 `legacy_fit`은 루프를 옮기기 전의 `fit` 본문(커밋 269e1fc) 그대로다. 같은 기계에서 두 함수를 돌려
기록(History)의 모든 값과 학습이 끝난 G, D(, EMA)의 파라미터 해시가 한 비트라도 다르면 실패한다. 해시를
기록해 두지 않는 까닭: 같은 시드라도 CPU(벡터 명령)가 다르면 부동소수점 반올림이 달라진다. 기록해 둔 EXPECTED는
다른 기계에서 잰 값이라 상대 오차 1e-4 안에서만 견준다.
"""

import hashlib
import time
from collections.abc import Callable, Sequence

import pytest
import torch
from torch import nn

import gancore as gc
from gancore import losses as L
from gancore.runtime import device as default_device
from gancore.runtime import seed_all
from gancore.train import (
    Callback,
    DReg,
    History,
    TrainConfig,
    TrainState,
    _batches,
    _check_finite,
    _split,
    make_ema,
)


def _quiet(it, **kw):
    from tqdm.auto import tqdm

    return tqdm(it, disable=True)


def legacy_fit(
    G: nn.Module,
    D: nn.Module,
    data,
    cfg: TrainConfig,
    *,
    loss: str | L.LossPair = "ns",
    opt_g: torch.optim.Optimizer | None = None,
    opt_d: torch.optim.Optimizer | None = None,
    d_reg: DReg | None = None,
    after_d_step: Callable[[nn.Module], None] | None = None,
    callbacks: Sequence[Callback] = (),
    n_classes: int | None = None,
    sample_z: Callable[[int, torch.device], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
    desc: str = "GAN 학습",
    progress: bool = True,
) -> History:
    """커밋 269e1fc의 `fit` 본문 그대로 (루프를 `run` 위로 옮기기 전)."""
    dev = torch.device(device) if device is not None else default_device()
    pair = L.get(loss)
    loader = getattr(data, "loader", data)
    seed_all(cfg.seed)
    G.to(dev).train()
    D.to(dev).train()
    fused = True if cfg.fused_adam else None  # None: torch의 기본 선택
    opt_g = opt_g or torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=cfg.betas, fused=fused)
    opt_d = opt_d or torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=cfg.betas, fused=fused)
    g_ema = make_ema(G, cfg.ema_decay) if cfg.ema_decay else None
    zs = sample_z or (lambda n, d: torch.randn(n, cfg.z_dim, device=d))
    hist = History(g_ema=g_ema, d_output="prob" if pair.d_prob else "score")
    read_d = pair.d_prob or (lambda out: out)
    batches = _batches(loader)
    t0 = time.perf_counter()

    def fake_batch(n: int, y_real):
        if n_classes is None:
            return G(zs(n, dev)), None
        y = torch.randint(n_classes, (n,), device=dev)
        return G(zs(n, dev), y), y

    def run_d(x, y):
        return D(x) if n_classes is None else D(x, y)

    bar = _quiet(range(1, cfg.steps + 1), desc=desc, disable=not progress, mininterval=0.5)
    for step in bar:
        for k in range(cfg.n_critic):  # 판별자(비평자) k번
            real, y_real = _split(next(batches), dev)
            if n_classes is None:
                y_real = None  # 레이블이 있어도 조건 없는 모델이면 쓰지 않는다
            share = cfg.share_fake and k == cfg.n_critic - 1 and len(real) == cfg.batch_size
            with torch.set_grad_enabled(share):
                fake, y_fake = fake_batch(len(real), y_real)
            fake_d = fake.detach()
            real_out, fake_out = run_d(real, y_real), run_d(fake_d, y_fake)
            d_loss = pair.d_loss(real_out, fake_out)
            if d_reg is not None:
                d_loss = d_loss + d_reg(D, real, fake_d, y_real)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            if after_d_step is not None:
                after_d_step(D)

        if not share:
            fake, y_fake = fake_batch(cfg.batch_size, None)  # 생성자 한 번
        g_loss = pair.g_loss(run_d(fake, y_fake))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        if g_ema is not None:
            g_ema.update_parameters(G)

        if step % cfg.log_every == 0 or step == 1 or step == cfg.steps:
            dl, gl = d_loss.item(), g_loss.item()
            _check_finite(step, d_loss=dl, g_loss=gl)
            hist.log(
                step,
                dl,
                gl,
                read_d(real_out.detach()).mean().item(),
                read_d(fake_out.detach()).mean().item(),
                time.perf_counter() - t0,
            )
            bar.set_postfix(d_loss=f"{dl:.3f}", g_loss=f"{gl:.3f}", refresh=False)
        state = TrainState(step, G, D, hist, g_ema)
        for cb in callbacks:
            cb(state)
    hist.seconds = time.perf_counter() - t0
    G.eval()
    D.eval()
    if g_ema is not None:
        g_ema.eval()
    return hist


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
def test_fit_equals_the_legacy_loop_bit_for_bit(name, threads):
    """`fit`(일반 루프 `run` 위의 포장)이 예전 루프와 같은 기록과 같은 파라미터를 낸다 (같은 기계에서)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        got = run_case(name, gc.train.fit)
        want = run_case(name, legacy_fit)
    finally:
        torch.set_num_threads(before)
    assert got == want


@pytest.mark.parametrize("name", CASES)
def test_fit_matches_the_recorded_runs(name):
    """기록해 둔 값(다른 기계)과는 반올림 차이 안에서 같다."""
    got, want = run_case(name), EXPECTED[name]
    assert got["step"] == want["step"] and got["d_output"] == want["d_output"]
    for k in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert got[k] == pytest.approx(want[k], rel=1e-4, abs=1e-6), k
