"""책의 학습 루프 `run` 하나와, 그 위의 얇은 포장들: GAN 한 쌍의 `fit`, 네트워크 하나의 `fit_net`.

`run`은 모델이 무엇인지 모른다 (stylegan2-ada의 학습 루프처럼). 한 단계(step)는 국면(`Phase`: 이름, 옵티마이저,
반복 횟수)의 목록이고, 국면마다 무엇을 계산할지는 모델 가족의 작은 단계 객체(`Step`)가 `loss(phase, batch, k)`로
답한다. 루프는 단계 예산, 진행 막대, 기록, NaN 멈춤, 콜백, EMA를 맡는다.

`fit`(생성자 하나, 판별자 하나)은 국면 'D'×n_critic과 'G'를 단계 객체 `GANStep`과 함께 `run`에 넘기고,
`fit_net`(분류기, 고정 표본 위의 판별자·비평자)은 국면 하나로 `run`을 부른다.

    cfg = TrainConfig(steps=2000, z_dim=64)
    hist = fit(G, D, data.loader, cfg, loss="ns", callbacks=[every(500, snapshot)])   # GAN 한 쌍
    hist = run(step, data, [Phase("D", opt_d), Phase("G", opt_g, takes_batch=False)], steps=2000)
    hist = fit_net(judge, lambda net, b: F.cross_entropy(net(b[0]), b[1]), 1000, data=loader)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import nn
from tqdm.auto import tqdm

from . import losses as L
from .errors import GanBookError, TrainingDiverged, unknown_name
from .latent import random_latents
from .runtime import device as default_device
from .runtime import seed_all


@dataclass(frozen=True)
class TrainConfig:
    """학습 설정. 장마다 quick/full 두 프리셋을 만들어 `runtime.choose`로 고른다."""

    steps: int = 1000  # 생성자 갱신 횟수(step budget)
    batch_size: int = 64
    z_dim: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    n_critic: int = 1  # 생성자 한 번에 판별자 k번 (Goodfellow의 k)
    ema_decay: float | None = None  # 생성자 EMA (None이면 쓰지 않음)
    # 마지막 판별자 단계의 가짜 배치를 생성자 단계에 다시 쓴다 (G의 순전파 한 번을 아낀다; PyTorch DCGAN 예제 방식)
    share_fake: bool = False
    # Adam의 fused 구현(한 커널로 모든 파라미터를 갱신): CPU에서도 큰 생성자의 갱신이 빨라진다. 수학은 같고
    # 부동소수점 반올림만 다르다. 기본값 False는 torch의 기본 구현.
    fused_adam: bool = False
    seed: int = 0
    log_every: int = 10

    def __post_init__(self):
        if self.steps < 1 or self.n_critic < 1 or self.batch_size < 1:
            raise GanBookError("steps, n_critic, batch_size는 1 이상이어야 합니다.")


@dataclass
class TrainState:
    """콜백이 받는 학습 상태. nets는 단계 객체의 네트워크 전부(이름 → 모듈)."""

    step: int
    G: nn.Module | None
    D: nn.Module | None
    history: History
    g_ema: nn.Module | None = None
    nets: dict[str, nn.Module] = field(default_factory=dict)


@dataclass
class History:
    """log_every 단계마다 기록한 값들.

    d_real, d_fake: 진짜/가짜 배치에서 판별자 출력의 평균. d_output이 'prob'이면 손실 쌍의 `d_prob`으로 읽은
    확률(교차 엔트로피 계열: sigmoid(로짓)), 'score'이면 확률이 아닌 날 점수(LSGAN, WGAN, 힌지)다.
    이 네 이름 밖의 값(예: Pix2Pix의 L1 항 'g_l1')은 `values[이름]`에 같은 단계로 쌓인다.
    """

    step: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    d_real: list[float] = field(default_factory=list)
    d_fake: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    g_ema: nn.Module | None = None
    seconds: float = 0.0
    d_output: str = "prob"
    values: dict[str, list[float]] = field(default_factory=dict)

    def log(self, step, d_loss, g_loss, d_real, d_fake, t) -> None:
        """GAN 한 쌍의 값 다섯과 시간을 한 줄 기록한다."""
        self.record(step, t, d_loss=d_loss, g_loss=g_loss, d_real=d_real, d_fake=d_fake)

    def record(self, step: int, t: float, **vals: float) -> None:
        """한 단계의 값들을 기록한다: 고정된 네 이름은 그 필드에, 나머지는 `values`에."""
        self.step.append(step)
        self.time.append(t)
        for k, v in vals.items():
            if k in _FIXED:
                getattr(self, k).append(v)
            else:
                self.values.setdefault(k, []).append(v)

    def __getitem__(self, name: str) -> list[float]:
        """이름으로 기록 하나를 읽는다 (고정 필드든 `values`든)."""
        if name in _FIXED:
            return getattr(self, name)
        if name not in self.values:
            raise unknown_name("기록(history key)", name, [*_FIXED, *self.values])
        return self.values[name]


_FIXED = ("d_loss", "g_loss", "d_real", "d_fake")

Callback = Callable[[TrainState], None]
# d_reg(D, real, fake, cond) -> 판별자 손실에 더할 항 (기울기 벌점 등)
DReg = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor | None], torch.Tensor]


def every(n: int, fn: Callback, *, first: bool = True) -> Callback:
    """n 단계마다(그리고 first면 1단계에서) fn을 부르는 콜백."""

    def cb(state: TrainState) -> None:
        if state.step % n == 0 or (first and state.step == 1):
            fn(state)

    return cb


def _batches(loader) -> Iterator:
    while True:  # 데이터가 다 떨어지면 다시 섞어서 계속
        yield from loader


def _to(batch, dev):
    if isinstance(batch, (list, tuple)):
        return tuple(b if b is None else b.to(dev, non_blocking=True) for b in batch)
    return batch.to(dev, non_blocking=True)


def _split(batch, dev=None):
    if isinstance(batch, (list, tuple)):
        x = batch[0] if dev is None else batch[0].to(dev, non_blocking=True)
        y = batch[1] if len(batch) > 1 else None
        y = y if (y is None or dev is None) else y.to(dev, non_blocking=True)
        return x, y
    return (batch if dev is None else batch.to(dev, non_blocking=True)), None


def _check_finite(step: int, **vals: float) -> None:
    bad = {k: v for k, v in vals.items() if not math.isfinite(v)}
    if bad:
        raise TrainingDiverged(
            f"학습이 발산했습니다(training diverged): {step}단계에서 손실이 유한하지 않습니다 {bad}. "
            "학습률(learning rate)을 낮추거나 손실/정규화 설정을 확인하세요."
        )


def make_ema(G: nn.Module, decay: float) -> nn.Module:
    """생성자의 지수 이동 평균(EMA) 사본: torch의 AveragedModel을 그대로 쓴다."""
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    return AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


# --- 일반 루프 ---------------------------------------------------------------------------


@dataclass
class Phase:
    """한 단계 안의 한 국면: 이 옵티마이저로 repeat번 갱신한다.

    Args:
        name: 단계 객체가 알아듣는 이름 ('D', 'G', 'G_B' …).
        opt: 이 국면이 갱신하는 옵티마이저.
        repeat: 단계마다 반복 횟수 (판별자의 n_critic).
        takes_batch: 반복마다 데이터 배치를 새로 받는가 (False면 batch=None: 앞 국면의 배치를 다시 쓴다).
        after: 갱신 직후 부르는 함수 (예: 가중치 클리핑).
    """

    name: str
    opt: torch.optim.Optimizer
    repeat: int = 1
    takes_batch: bool = True
    after: Callable[[], None] | None = None


class Step(Protocol):
    """모델 가족 하나의 단계 객체: 국면마다 최소화할 손실을 계산한다 (루프는 모델을 모른다)."""

    nets: dict[str, nn.Module]

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        """국면 phase의 k번째 반복에서 최소화할 스칼라 손실 (batch: 장치로 옮긴 배치 또는 None)."""
        ...

    def logs(self) -> dict[str, torch.Tensor | float]:
        """기록할 값들 (기록하는 단계에서만 부른다; 마지막 반복의 값)."""
        ...


def run(
    step_fn: Step,
    data,
    phases: Sequence[Phase],
    steps: int,
    *,
    log_every: int = 10,
    ema: tuple[nn.Module, float] | None = None,
    callbacks: Sequence[Callback] = (),
    device: torch.device | str | None = None,
    history: History | None = None,
    desc: str = "학습",
    progress: bool = True,
) -> History:
    """일반 학습 루프: 단계마다 국면들을 차례로 돌리고 기록(History)을 돌려준다.

    Args:
        step_fn: 국면마다 손실을 계산하는 단계 객체 (`Step`).
        data: 배치를 내는 DataLoader (또는 `.loader`를 가진 DataBundle). 끝나면 다시 처음부터.
        phases: 한 단계 안의 국면들 (순서대로).
        steps: 단계 예산.
        ema: (모듈, 감쇠율)이면 단계마다 그 모듈의 EMA 사본을 갱신한다 (`History.g_ema`).
        callbacks: 단계마다 TrainState를 받는 함수들.
    """
    dev = torch.device(device) if device is not None else default_device()
    loader = getattr(data, "loader", data)
    hist = history if history is not None else History()
    nets = step_fn.nets
    for net in nets.values():
        net.train()
    g_ema = make_ema(*ema) if ema is not None else None
    hist.g_ema = g_ema
    batches = _batches(loader)
    t0 = time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc=desc, disable=not progress, mininterval=0.5)
    for step in bar:
        for ph in phases:
            for k in range(ph.repeat):
                batch = _to(next(batches), dev) if ph.takes_batch else None
                loss = step_fn.loss(ph.name, batch, k)
                ph.opt.zero_grad(set_to_none=True)
                loss.backward()
                ph.opt.step()
                if ph.after is not None:
                    ph.after()
        if g_ema is not None:
            g_ema.update_parameters(ema[0])

        if step % log_every == 0 or step == 1 or step == steps:
            vals = {
                k: v.item() if torch.is_tensor(v) else float(v) for k, v in step_fn.logs().items()
            }
            _check_finite(step, **vals)
            hist.record(step, time.perf_counter() - t0, **vals)
            shown = {k: f"{v:.3f}" for k, v in vals.items() if k.endswith("loss")}
            bar.set_postfix(shown, refresh=False)
        state = TrainState(step, nets.get("G"), nets.get("D"), hist, g_ema, nets)
        for cb in callbacks:
            cb(state)
    hist.seconds = time.perf_counter() - t0
    for net in nets.values():
        net.eval()
    if g_ema is not None:
        g_ema.eval()
    return hist


# --- 네트워크 하나의 지도 학습: fit_net ----------------------------------------------------


class NetStep:
    """네트워크 하나를 손실 함수 하나로 학습하는 단계 객체 (`fit_net`이 쓴다): 국면 'net' 하나."""

    def __init__(self, net: nn.Module, loss_fn: Callable[[nn.Module, object], torch.Tensor]):
        self.net, self.loss_fn = net, loss_fn
        self.nets = {"net": net}

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        self.value = self.loss_fn(self.net, batch)
        return self.value

    def logs(self) -> dict[str, torch.Tensor]:
        return {"loss": self.value}


def fit_net(
    net: nn.Module,
    loss_fn: Callable[[nn.Module, object], torch.Tensor],
    steps: int,
    *,
    data=None,
    opt: torch.optim.Optimizer | None = None,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    log_every: int = 10,
    after: Callable[[], None] | None = None,
    callbacks: Sequence[Callback] = (),
    desc: str = "학습",
    progress: bool = True,
) -> History:
    """네트워크 하나를 지도 학습한다 (분류기, 고정 표본 위의 판별자·비평자): 책의 학습 루프 `run` 위에서.

    Args:
        loss_fn: ``loss_fn(net, batch)`` → 최소화할 스칼라 손실. batch는 data의 다음 배치(장치로 옮긴 것),
            data가 None이면 None (손실 함수가 표본을 스스로 고른다: 전체 배치 등).
        data: 배치를 내는 반복 가능한 것 (DataLoader, DataBundle, 끝없는 생성기). 끝나면 처음부터 다시.
        opt: 주지 않으면 Adam(lr, betas).
        after: 갱신마다 직후에 부르는 함수 (학습률 스케줄러의 step, 가중치 클리핑 등).
        callbacks: 단계마다 TrainState를 받는 함수들 (`state.nets["net"]`).

    돌려주는 값: 기록(History). ``hist["loss"]``가 log_every 단계마다의 손실이다.
    """
    dev = next(net.parameters()).device
    opt = opt or torch.optim.Adam(net.parameters(), lr=lr, betas=betas)
    phases = [Phase("net", opt, takes_batch=data is not None, after=after)]
    return run(
        NetStep(net, loss_fn),
        data,
        phases,
        steps,
        log_every=log_every,
        callbacks=callbacks,
        device=dev,
        history=History(d_output="score"),
        desc=desc,
        progress=progress,
    )


# --- GAN 한 쌍: fit -----------------------------------------------------------------------


class GANStep:
    """생성자 하나와 판별자 하나의 단계 객체 (`fit`이 쓴다): 국면 'D'(n_critic번)와 'G'.

    'D' 국면은 진짜 배치와 새 가짜 배치로 판별자 손실(+ d_reg)을, 'G' 국면은 새 가짜 배치(share_fake면 마지막
    'D' 국면의 가짜 배치)로 생성자 손실을 낸다. 조건부(n_classes)면 G(z, y), D(x, y)로 부른다.
    """

    def __init__(
        self,
        G: nn.Module,
        D: nn.Module,
        pair: L.LossPair,
        cfg: TrainConfig,
        dev: torch.device,
        *,
        d_reg: DReg | None = None,
        n_classes: int | None = None,
        sample_z: Callable[[int, torch.device], torch.Tensor] | None = None,
    ):
        self.G, self.D, self.pair, self.cfg, self.dev = G, D, pair, cfg, dev
        self.nets = {"G": G, "D": D}
        self.d_reg, self.n_classes = d_reg, n_classes
        self.zs = sample_z or (lambda n, d: torch.randn(n, cfg.z_dim, device=d))
        self.read_d = pair.d_prob or (lambda out: out)
        self.share = False

    def fake_batch(self, n: int):
        """가짜 배치 n개 (조건부면 무작위 레이블과 함께)."""
        if self.n_classes is None:
            return self.G(self.zs(n, self.dev)), None
        y = torch.randint(self.n_classes, (n,), device=self.dev)
        return self.G(self.zs(n, self.dev), y), y

    def run_d(self, x, y):
        return self.D(x) if self.n_classes is None else self.D(x, y)

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        cfg = self.cfg
        if phase == "D":  # 판별자(비평자)
            real, y_real = _split(batch)
            if self.n_classes is None:
                y_real = None  # 레이블이 있어도 조건 없는 모델이면 쓰지 않는다
            self.share = cfg.share_fake and k == cfg.n_critic - 1 and len(real) == cfg.batch_size
            with torch.set_grad_enabled(self.share):
                self.fake, self.y_fake = self.fake_batch(len(real))
            fake_d = self.fake.detach()
            self.real_out, self.fake_out = self.run_d(real, y_real), self.run_d(fake_d, self.y_fake)
            d_loss = self.pair.d_loss(self.real_out, self.fake_out)
            if self.d_reg is not None:
                d_loss = d_loss + self.d_reg(self.D, real, fake_d, y_real)
            self.d_loss = d_loss
            return d_loss
        if phase != "G":
            raise unknown_name("국면(phase)", phase, ["D", "G"])
        if not self.share:
            self.fake, self.y_fake = self.fake_batch(cfg.batch_size)  # 생성자 한 번
        self.g_loss = self.pair.g_loss(self.run_d(self.fake, self.y_fake))
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "d_real": self.read_d(self.real_out.detach()).mean(),
            "d_fake": self.read_d(self.fake_out.detach()).mean(),
        }


def adam(net: nn.Module, lr: float, cfg: TrainConfig) -> torch.optim.Optimizer:
    """cfg의 betas와 fused_adam으로 Adam을 만든다."""
    fused = True if cfg.fused_adam else None  # None: torch의 기본 선택
    return torch.optim.Adam(net.parameters(), lr=lr, betas=cfg.betas, fused=fused)


def fit(
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
    """G와 D를 번갈아 학습하고 기록(History)을 돌려준다: 국면 'D'(n_critic번)와 'G'를 일반 루프 `run`에 넘긴다.

    각 국면이 무엇을 계산하는지는 단계 객체 `GANStep`이 답한다.

    Args:
        data: (x,) 또는 (x, y) 배치를 내는 DataLoader (또는 `.loader`를 가진 DataBundle).
        loss: 손실 쌍 이름('minimax', 'ns', …) 또는 `losses.LossPair`.
        opt_g, opt_d: 주지 않으면 cfg의 학습률과 betas(와 fused_adam)로 Adam을 만든다.
        d_reg: 판별자 손실에 더할 정규화 항 (예: 기울기 벌점 gradient penalty).
        after_d_step: 판별자 갱신 직후 부르는 함수 (예: 가중치 클리핑 weight clipping).
        callbacks: 생성자 갱신마다 TrainState를 받는 함수들 (스냅숏 등).
        n_classes: 조건부(conditional) 모델이면 클래스 수: G(z, y), D(x, y)로 부른다.
        sample_z: 잠재 벡터 샘플러 (기본: 표준정규 N(0, I), 크기 (n, z_dim)).
    """
    dev = torch.device(device) if device is not None else default_device()
    pair = L.get(loss)
    seed_all(cfg.seed)
    G.to(dev)
    D.to(dev)
    opt_g = opt_g or adam(G, cfg.lr_g, cfg)
    opt_d = opt_d or adam(D, cfg.lr_d, cfg)
    step_fn = GANStep(G, D, pair, cfg, dev, d_reg=d_reg, n_classes=n_classes, sample_z=sample_z)
    after = (lambda: after_d_step(D)) if after_d_step is not None else None
    phases = [
        Phase("D", opt_d, repeat=cfg.n_critic, after=after),
        Phase("G", opt_g, takes_batch=False),
    ]
    return run(
        step_fn,
        data,
        phases,
        cfg.steps,
        log_every=cfg.log_every,
        ema=(G, cfg.ema_decay) if cfg.ema_decay else None,
        callbacks=callbacks,
        device=dev,
        history=History(d_output="prob" if pair.d_prob else "score"),
        desc=desc,
        progress=progress,
    )


def fit_discriminator(
    D: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    steps: int = 2000,
    lr: float = 1e-2,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """고정된 진짜/가짜 표본에서 판별자만 학습한다 (최적 판별자 D*를 확인할 때).

    돌려주는 값: 단계별 판별자 손실(BCE).
    """
    seed_all(seed)
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    hist = fit_net(
        D,
        lambda net, _: L.d_bce(net(real), net(fake)),
        steps,
        opt=opt,
        log_every=1,
        desc="판별자만 학습",
        progress=progress,
    )
    return hist["loss"]


@torch.no_grad()
def sample(
    G: nn.Module,
    n: int,
    z_dim: int,
    *,
    seed: int = 0,
    y: torch.Tensor | None = None,
    batch: int = 1000,
) -> torch.Tensor:
    """학습된 생성자에서 n개를 뽑아 CPU 텐서로 (시드 고정, 평가 모드)."""
    was_training = G.training
    G.eval()
    dev = next(G.parameters()).device
    z_all = random_latents(n, z_dim, seed)  # 배치 크기와 무관하게 같은 z
    out = []
    for i in range(0, n, batch):
        z = z_all[i : i + batch].to(dev)
        args = (z,) if y is None else (z, y[i : i + len(z)].to(dev))
        out.append(G(*args).cpu())
    G.train(was_training)
    return torch.cat(out)
