"""PGGAN (Karras 외 2018): 4×4에서 32×32까지 자라는 생성자·판별자와, 그 성장을 돌리는 단계 객체.

공식 코드(tkarras/progressive_growing_of_gans `networks.py`, `loss.py`)의 네 재료를 옮겼다:
부드러운 페이드인(fade-in) x = (1 − α)·up(옛 toRGB) + α·새 toRGB, 미니배치 표준편차(무리 4),
균등 학습률(equalized learning rate: 가중치는 N(0, 1), He 상수는 순전파에서 곱한다), 픽셀 정규화.
손실은 공식 코드와 같은 WGAN-GP(λ = 10) + 표류 항(drift) 0.001·E[D(x)²].

    G, D = QUICK.build()                      # 다 자란 상태(stage 3, 32×32)로 만들어진다
    G.set_stage(1, 0.5)                       # 8×8로 자라는 중, α = 0.5
    hist = grow(G, D, load_mnist32("train"), QUICK)   # 단계 목록(plan)을 차례로 `train.run`에 넘긴다
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape
from ..train import History, Phase, TrainConfig, adam, run

RES = (4, 8, 16, 32)  # 단계(stage) 0, 1, 2, 3의 해상도


# --- 세 재료: 균등 학습률, 픽셀 정규화, 미니배치 표준편차 ------------------------------------


class EqualizedConv2d(nn.Module):
    """균등 학습률 합성곱: 가중치를 N(0, 1)로 저장하고, He 상수 gain/√fan_in을 순전파마다 곱한다."""

    def __init__(self, c_in: int, c_out: int, k: int, gain: float = math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, k, k))  # N(0, 1)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.scale = gain / math.sqrt(c_in * k * k)  # fan_in = c_in·k·k
        self.pad = k // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.pad)


class EqualizedLinear(nn.Module):
    """균등 학습률 완전 연결 층: 가중치 N(0, 1), 순전파에서 gain/√fan_in을 곱한다."""

    def __init__(self, c_in: int, c_out: int, gain: float = math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.scale = gain / math.sqrt(c_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """픽셀 정규화: 화소마다 채널 벡터를 RMS 1로 나눈다, x / √(mean_c x² + ε). 입력 (B, C, …)."""
    return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + eps)


def minibatch_stddev(x: torch.Tensor, group: int = 4) -> torch.Tensor:
    """미니배치 표준편차 특징 한 채널을 덧붙인다 (공식 코드의 `minibatch_stddev_layer`).

    배치를 크기 group의 무리로 나눠(표본 i는 무리 i mod M), 무리 안에서 특징·화소마다 표준편차를 구하고,
    그것을 모두 평균한 값 하나를 무리의 모든 표본에 상수 지도로 붙인다. (B, C, H, W) → (B, C + 1, H, W).
    """
    B, C, H, W = x.shape
    g = min(group, B)
    if B % g:
        raise GanBookError(
            f"미니배치 표준편차(minibatch stddev): 배치 {B}가 무리 크기(group size) {g}로 나뉘지 않습니다."
        )
    y = x.reshape(g, -1, C, H, W)  # (G, M, C, H, W)
    y = y - y.mean(0, keepdim=True)  # 무리 평균을 뺀다
    y = (y.pow(2).mean(0) + 1e-8).sqrt()  # (M, C, H, W) 표준편차
    y = y.mean((1, 2, 3)).reshape(-1, 1, 1, 1)  # (M, 1, 1, 1)
    return torch.cat([x, y.repeat(g, 1, H, W)], 1)  # (B, C + 1, H, W)


def _lrelu(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, 0.2)


def up2(x: torch.Tensor) -> torch.Tensor:
    """2배 최근접 업샘플 (B, C, H, W) → (B, C, 2H, 2W): `F.interpolate(x, scale_factor=2)`와 같고 CPU에서 더 빠르다."""
    B, C, H, W = x.shape
    return x[:, :, :, None, :, None].expand(B, C, H, 2, W, 2).reshape(B, C, 2 * H, 2 * W)


def _lerp(a: torch.Tensor, b: torch.Tensor, alpha: float) -> torch.Tensor:
    return a + (b - a) * alpha  # (1 − α)·a + α·b


def _check_stage(stage: int, alpha: float, n: int) -> None:
    if not 0 <= stage < n:
        raise GanBookError(f"단계(stage)는 0…{n - 1}이어야 합니다: {stage}")
    if not 0.0 <= alpha <= 1.0:
        raise GanBookError(f"페이드인 계수 α(fade-in alpha)는 [0, 1]이어야 합니다: {alpha}")


class _Growing(nn.Module):
    """지금 몇 단계까지 자랐는지(stage)와 페이드인 계수 α를 가진 신경망."""

    stage: int
    alpha: float

    def set_stage(self, stage: int, alpha: float = 1.0) -> None:
        """단계(0: 4×4 … 3: 32×32)와 α를 정한다. α < 1이면 새 층이 옛 경로와 섞이는 중이다."""
        _check_stage(stage, alpha, len(self.channels))
        self.stage, self.alpha = stage, float(alpha)

    @property
    def res(self) -> int:
        """지금 단계의 해상도 (4·2^stage)."""
        return 4 * 2**self.stage


class Generator(_Growing):
    """PGGAN 생성자: z → 4×4 → … → 32×32. 해상도마다 블록과 toRGB(1×1 합성곱)가 하나씩 있다.

    Args:
        z_dim: 잠재 벡터 차원.
        channels: 해상도 4, 8, 16, 32 블록의 채널 수 (공식 코드처럼 높은 해상도일수록 좁게).
        out_ch: 이미지 채널 수.
    """

    def __init__(
        self, z_dim: int = 64, channels: tuple[int, ...] = (64, 64, 32, 16), out_ch: int = 1
    ):
        super().__init__()
        self.z_dim, self.channels, self.out_ch = z_dim, tuple(channels), out_ch
        c0 = channels[0]
        self.dense = EqualizedLinear(z_dim, c0 * 16, gain=math.sqrt(2) / 4)  # 공식 코드의 gain
        self.conv0 = EqualizedConv2d(c0, c0, 3)
        self.blocks = nn.ModuleList([nn.Identity()])  # 4×4의 블록은 dense + conv0
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            self.blocks.append(
                nn.ModuleList([EqualizedConv2d(c_in, c_out, 3), EqualizedConv2d(c_out, c_out, 3)])
            )
        self.to_rgb = nn.ModuleList([EqualizedConv2d(c, out_ch, 1, gain=1.0) for c in channels])
        self.set_stage(len(channels) - 1)

    def block(self, i: int, h: torch.Tensor) -> torch.Tensor:
        """블록 i: 2배 최근접 업샘플 → (3×3 합성곱 → leaky ReLU → 픽셀 정규화)×2. (B, c_{i−1}, s, s) → (B, c_i, 2s, 2s)."""
        h = up2(h)
        for conv in self.blocks[i]:
            h = pixel_norm(_lrelu(conv(h)))
        return h

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_shape(z, (None, self.z_dim), "PGGAN 생성자 입력 z")
        h = self.dense(pixel_norm(z)).view(len(z), -1, 4, 4)  # (B, c0, 4, 4)
        h = pixel_norm(_lrelu(h))
        h = pixel_norm(_lrelu(self.conv0(h)))
        s = self.stage
        if s == 0:
            return self.to_rgb[0](h)  # (B, out_ch, 4, 4)
        for i in range(1, s):
            h = self.block(i, h)  # (B, c_{s−1}, res/2, res/2)
        old = up2(self.to_rgb[s - 1](h))  # up(옛 toRGB)
        new = self.to_rgb[s](self.block(s, h))  # (B, out_ch, res, res)
        return new if self.alpha == 1.0 else _lerp(old, new, self.alpha)


class Discriminator(_Growing):
    """PGGAN 판별자(비평자): 생성자의 거울. fromRGB → 블록(합성곱 둘 → 평균 풀링) … → 4×4 블록 → 점수.

    4×4 블록은 미니배치 표준편차 채널을 붙이고 3×3 합성곱, 완전 연결 층 둘로 점수 하나를 낸다.

    Args:
        channels: 해상도 4, 8, 16, 32 블록의 채널 수.
        in_ch: 이미지 채널 수.
        group: 미니배치 표준편차의 무리 크기 (공식 코드 4).
    """

    def __init__(
        self, channels: tuple[int, ...] = (64, 64, 32, 16), in_ch: int = 1, group: int = 4
    ):
        super().__init__()
        self.channels, self.in_ch, self.group = tuple(channels), in_ch, group
        self.from_rgb = nn.ModuleList([EqualizedConv2d(in_ch, c, 1) for c in channels])
        self.blocks = nn.ModuleList([nn.Identity()])
        for c_out, c_in in zip(channels[:-1], channels[1:]):
            self.blocks.append(
                nn.ModuleList([EqualizedConv2d(c_in, c_in, 3), EqualizedConv2d(c_in, c_out, 3)])
            )
        c0 = channels[0]
        self.conv0 = EqualizedConv2d(c0 + 1, c0, 3)
        self.dense0 = EqualizedLinear(c0 * 16, c0)
        self.out = EqualizedLinear(c0, 1, gain=1.0)
        self.set_stage(len(channels) - 1)

    def block(self, i: int, h: torch.Tensor) -> torch.Tensor:
        """블록 i: (3×3 합성곱 → leaky ReLU)×2 → 2×2 평균 풀링. (B, c_i, s, s) → (B, c_{i−1}, s/2, s/2)."""
        for conv in self.blocks[i]:
            h = _lrelu(conv(h))
        return F.avg_pool2d(h, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(
            x, (None, self.in_ch, self.res, self.res), f"PGGAN 판별자 입력 (단계 {self.stage})"
        )
        s = self.stage
        h = _lrelu(self.from_rgb[s](x))  # (B, c_s, res, res)
        if s > 0:
            h = self.block(s, h)  # (B, c_{s−1}, res/2, res/2)
            if self.alpha < 1.0:  # 옛 경로: 입력을 줄여 옛 fromRGB로
                old = _lrelu(self.from_rgb[s - 1](F.avg_pool2d(x, 2)))
                h = _lerp(old, h, self.alpha)
        for i in range(s - 1, 0, -1):
            h = self.block(i, h)  # … → (B, c0, 4, 4)
        h = _lrelu(self.conv0(minibatch_stddev(h, self.group)))  # (B, c0, 4, 4)
        h = _lrelu(self.dense0(h.flatten(1)))  # (B, c0)
        return self.out(h).squeeze(1)  # (B,)


# --- 데이터 ----------------------------------------------------------------------------------


def load_mnist32(split: str = "train", batch_size: int = 64, seed: int = 0):
    """mnist5k의 한 분할을 가장자리 배경 2화소로 32×32로 늘린 DataBundle ((N, 1, 32, 32), [-1, 1])."""
    from ..data import DataBundle, load, make_loader

    b = load("mnist5k", split=split)
    x = F.pad(b.x, (2, 2, 2, 2), value=-1.0)  # (N, 1, 32, 32)
    return DataBundle("mnist32", x, b.y, make_loader(x, b.y, batch_size, seed), {"pad": 2})


def downsample(x: torch.Tensor, res: int) -> torch.Tensor:
    """진짜 이미지를 평균 풀링으로 res×res까지 줄인다 (공식 코드의 진짜 이미지 줄이기)."""
    f = x.shape[-1] // res
    if f < 1 or res * f != x.shape[-1]:
        raise GanBookError(f"{x.shape[-1]}×{x.shape[-1]} 이미지를 {res}×{res}로 줄일 수 없습니다.")
    return x if f == 1 else F.avg_pool2d(x, f)


def crop28(x: torch.Tensor) -> torch.Tensor:
    """32×32 이미지의 가장자리 2화소를 잘라 28×28로 (심판 분류기의 크기; 진짜 test 숫자가 거치는 것과 같다)."""
    check_shape(x, (None, None, 32, 32), "28×28로 자를 이미지")
    return x[..., 2:-2, 2:-2]


# --- 학습: 단계 객체, 단계 목록, 성장 드라이버 ---------------------------------------------


@dataclass(frozen=True)
class Stage:
    """성장 계획의 한 줄: 이 해상도에서 steps 단계를 돌고, 처음 fade 단계 동안 α를 0 → 1로 올린다."""

    res: int
    steps: int
    fade: int = 0

    @property
    def index(self) -> int:
        """RES 안의 단계 번호 (4×4 → 0)."""
        if self.res not in RES:
            raise GanBookError(f"해상도(resolution)는 {RES} 가운데 하나여야 합니다: {self.res}")
        return RES.index(self.res)

    def alpha(self, t: int) -> float:
        """이 단계의 t번째(1부터) 갱신에서 α: fade 단계에 걸쳐 선형으로 1까지, 그 뒤로 1."""
        return 1.0 if self.fade == 0 else min(1.0, t / self.fade)


class PGGANStep:
    """PGGAN의 단계 객체 (`train.run`에 넘긴다): 국면 'D'(비평자)와 'G'. α는 stage.alpha(t)가 정한다.

    D 손실 = E[D(G(z))] − E[D(x)] + λ·GP + ε_drift·E[D(x)²],  G 손실 = −E[D(G(z))]  (공식 `loss.py`).
    진짜 x는 지금 해상도로 평균 풀링하고, 페이드 중에는 공식 코드처럼 한 단계 낮춘 것과 α로 섞는다.
    """

    def __init__(
        self,
        G: Generator,
        D: Discriminator,
        stage: Stage,
        gp: float = 10.0,
        drift: float = 1e-3,
        gstep: int = 0,
    ):
        from ..losses import gradient_penalty

        self.G, self.D, self.stage = G, D, stage
        self.gp_fn, self.gp, self.drift = gradient_penalty, gp, drift
        self.nets = {"G": G, "D": D}
        self.t, self.gstep = 0, gstep  # 이 단계의 갱신 수, 전체 갱신 수

    def _advance(self) -> None:
        self.t += 1
        self.gstep += 1
        self.alpha = self.stage.alpha(self.t)
        for net in (self.G, self.D):
            net.set_stage(self.stage.index, self.alpha)

    def reals(self, x: torch.Tensor) -> torch.Tensor:
        """진짜 배치 (B, C, 32, 32) → 지금 해상도 (B, C, res, res), 페이드 중이면 옛 해상도와 섞는다."""
        x = downsample(x, self.stage.res)
        if self.alpha < 1.0:
            low = up2(F.avg_pool2d(x, 2))
            x = _lerp(low, x, self.alpha)
        return x

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        z_dim = self.G.z_dim
        if phase == "D":
            if k == 0:
                self._advance()
            real = self.reals(batch[0])
            self.D.requires_grad_(True)
            with torch.no_grad():
                fake = self.G(torch.randn(len(real), z_dim, device=real.device))
            self.real_out, self.fake_out = self.D(real), self.D(fake)  # (B,), (B,)
            w = self.fake_out.mean() - self.real_out.mean()
            self.d_loss = (
                w
                + self.gp_fn(self.D, real, fake, weight=self.gp)
                + self.drift * self.real_out.pow(2).mean()
            )
            self.batch = len(real)
            return self.d_loss
        if phase != "G":
            raise GanBookError(f"PGGAN 단계 객체가 모르는 국면(phase)입니다: {phase!r} ('D', 'G')")
        self.D.requires_grad_(False)  # G 국면의 역전파가 D의 기울기를 쌓지 않게
        dev = next(self.G.parameters()).device
        self.g_loss = -self.D(self.G(torch.randn(self.batch, z_dim, device=dev))).mean()
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor | float]:
        return {
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "d_real": self.real_out.detach().mean(),
            "d_fake": self.fake_out.detach().mean(),
            "alpha": self.alpha,
            "res": float(self.stage.res),
            "gstep": float(self.gstep),
        }


@dataclass(frozen=True)
class Recipe:
    """PGGAN 한 번의 학습 설정: 학습(TrainConfig), 채널, 해상도마다의 페이드·안정 단계 수, 손실의 계수."""

    cfg: TrainConfig
    channels: tuple[int, ...] = (64, 64, 32, 16)
    fade_steps: int = 100
    stable_steps: int = 100
    gp: float = 10.0
    drift: float = 1e-3

    def build(self) -> tuple[Generator, Discriminator]:
        """레시피대로 (G, D)를 만든다 (시드 cfg.seed)."""
        torch.manual_seed(self.cfg.seed)
        return Generator(self.cfg.z_dim, self.channels), Discriminator(self.channels)

    def plan(self) -> list[Stage]:
        """성장 계획: 4×4는 안정만, 그다음 해상도마다 페이드 fade_steps + 안정 stable_steps."""
        out = [Stage(RES[0], self.stable_steps)]
        out += [
            Stage(r, self.fade_steps + self.stable_steps, self.fade_steps)
            for r in RES[1 : len(self.channels)]
        ]
        return out

    def fixed(self, steps: int) -> list[Stage]:
        """자라지 않는 비교군의 계획: 처음부터 마지막 해상도의 같은 신경망으로 steps 단계."""
        return [Stage(RES[len(self.channels) - 1], steps)]


def grow(
    G: Generator,
    D: Discriminator,
    data,
    recipe: Recipe,
    plan: list[Stage] | None = None,
    *,
    callbacks=(),
    progress: bool = True,
) -> History:
    """성장 계획(단계 목록)을 차례로 책의 학습 루프 `train.run`에 넘긴다: 해상도마다 `run` 한 번.

    공식 코드처럼 해상도가 바뀔 때마다 Adam을 새로 만든다. 기록은 하나의 History에 이어 쌓이고
    (``hist["gstep"]``: 전체 갱신 수, ``hist["alpha"]``, ``hist["res"]``), ``hist.seconds``는 모든 단계의 합이다.

    Args:
        data: 32×32 진짜 배치를 내는 DataLoader 또는 DataBundle (`load_mnist32`).
        plan: 단계 목록 (기본: ``recipe.plan()``; 자라지 않는 비교군은 ``recipe.fixed(n)``).
        callbacks: 각 단계의 `run`에 넘기는 콜백 (`TrainState`를 받는다).
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg = recipe.cfg
    plan = recipe.plan() if plan is None else plan
    if not plan:
        raise GanBookError("성장 계획(plan)이 비어 있습니다.")
    dev = default_device()
    seed_all(cfg.seed)
    G.to(dev)
    D.to(dev)
    hist, seconds, gstep = History(d_output="score"), 0.0, 0
    for st in plan:
        step = PGGANStep(G, D, st, recipe.gp, recipe.drift, gstep)
        G.set_stage(st.index, st.alpha(0))  # EMA 사본이 이 단계의 구조로 시작하도록
        phases = [
            Phase("D", adam(D, cfg.lr_d, cfg)),
            Phase("G", adam(G, cfg.lr_g, cfg), takes_batch=False),
        ]
        what = "페이드인 후 안정" if st.fade else "안정"
        run(
            step,
            data,
            phases,
            st.steps,
            log_every=cfg.log_every,
            callbacks=callbacks,
            device=dev,
            ema=(G, cfg.ema_decay) if cfg.ema_decay else None,
            history=hist,
            desc=f"PGGAN {st.res}×{st.res} ({what})",
            progress=progress,
        )
        seconds, gstep = seconds + hist.seconds, step.gstep
    hist.seconds = seconds
    if hist.g_ema is not None:  # 마지막 단계의 EMA 생성자 (AveragedModel 안의 Generator)
        hist.g_ema = hist.g_ema.module
        hist.g_ema.set_stage(G.stage, G.alpha)
    return hist


def evaluate(G: Generator) -> dict:
    """책의 평가 규약으로 G를 잰다: 표본 N_EVAL장(시드 EVAL_SEED)을 28×28로 잘라(`crop28`) `evaluate_mnist`."""
    from .. import metrics

    if G.res != 32:
        raise GanBookError(f"평가는 32×32 단계에서 합니다: 지금 {G.res}×{G.res}")
    return metrics.evaluate_mnist(crop28(metrics.eval_samples(G, G.z_dim)))


# quick: 1코어 CPU에서 1분 안팎. 좁은 신경망, 배치 16, 해상도마다 페이드 150 + 안정 150갱신.
# TrainConfig.steps는 쓰지 않는다 (갱신 수는 plan이 정한다).
QUICK = Recipe(
    TrainConfig(
        steps=1, batch_size=16, z_dim=64, lr_g=1e-3, lr_d=1e-3, betas=(0.0, 0.99), log_every=10
    ),
    channels=(32, 32, 16, 8),
    fade_steps=150,
    stable_steps=150,
)
# full: 공식 코드의 값 (Adam 1e-3, β = (0, 0.99), 너비 512, 해상도마다 페이드 600k장 + 안정 600k장,
# 배치 64, 생성자 EMA 0.999)
FULL = Recipe(
    TrainConfig(
        steps=1,
        batch_size=64,
        z_dim=512,
        lr_g=1e-3,
        lr_d=1e-3,
        betas=(0.0, 0.99),
        ema_decay=0.999,
        log_every=100,
    ),
    channels=(512, 512, 512, 512),
    fade_steps=600_000 // 64,
    stable_steps=600_000 // 64,
)


def recipe() -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL)."""
    from ..runtime import choose

    return choose(quick=QUICK, full=FULL)


def with_seed(rec: Recipe, seed: int) -> Recipe:
    """시드만 바꾼 레시피."""
    return replace(rec, cfg=replace(rec.cfg, seed=seed))


MODELS = {"pggan_g": Generator, "pggan_d": Discriminator}
