"""적대적 모델을 위한 하나뿐인 학습 루프 `fit`.

모델이 무엇인지 모른다: 생성자 G, 판별자(또는 비평자) D, 손실 쌍, 데이터만 받는다.
판별자를 n_critic번 갱신할 때마다 생성자를 한 번 갱신하고, 매 생성자 단계 뒤에 콜백을 부른다.

    cfg = TrainConfig(steps=2000, z_dim=64)
    hist = fit(G, D, data.loader, cfg, loss="ns", callbacks=[every(500, snapshot)])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from . import losses as L
from .errors import GanBookError, TrainingDiverged
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
    """콜백이 받는 학습 상태."""

    step: int
    G: nn.Module
    D: nn.Module
    history: History
    g_ema: nn.Module | None = None


@dataclass
class History:
    """log_every 단계마다 기록한 값들.

    d_real, d_fake: 진짜/가짜 배치에서 판별자 출력의 평균. d_output이 'prob'이면 손실 쌍의 `d_prob`으로 읽은
    확률(교차 엔트로피 계열: sigmoid(로짓)), 'score'이면 확률이 아닌 날 점수(LSGAN, WGAN, 힌지)다.
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

    def log(self, step, d_loss, g_loss, d_real, d_fake, t) -> None:
        for k, v in zip(
            ("step", "d_loss", "g_loss", "d_real", "d_fake", "time"),
            (step, d_loss, g_loss, d_real, d_fake, t),
        ):
            getattr(self, k).append(v)


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


def _split(batch, dev):
    if isinstance(batch, (list, tuple)):
        x = batch[0].to(dev, non_blocking=True)
        y = batch[1].to(dev, non_blocking=True) if len(batch) > 1 else None
        return x, y
    return batch.to(dev, non_blocking=True), None


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
    """G와 D를 번갈아 학습하고 기록(History)을 돌려준다.

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

    bar = tqdm(range(1, cfg.steps + 1), desc=desc, disable=not progress, mininterval=0.5)
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
    out = []
    for _ in tqdm(range(steps), desc="판별자만 학습", disable=not progress, mininterval=0.5):
        loss = L.d_bce(D(real), D(fake))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        out.append(loss.item())
    _check_finite(steps, d_loss=out[-1])
    D.eval()
    return out


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
