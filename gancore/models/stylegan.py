"""StyleGAN (Karras 외 2019)의 축소판: 매핑 신경망 z → w, 학습되는 상수 입력, 층마다 AdaIN과 잡음, 스타일 혼합,
추적한 평균 w와 절단 기법(truncation trick). 32×32, 해상도 4·8·16·32에 스타일 층이 둘씩(모두 8개).

공식 코드(NVlabs/stylegan `training/networks_stylegan.py`)의 `G_mapping`, `G_synthesis`(layer_epilogue:
잡음 → 편향 → leaky ReLU → 인스턴스 정규화 → 스타일 변조)를 옮겼다. 점진적 성장과 블러 필터는 뺐다.
판별자는 PGGAN 장의 판별자를 그대로 쓰고, 손실은 공식 코드의 비포화 손실 + R1 벌점이다.

    G, D = QUICK.build()
    img = G(z)                                  # (B, 1, 32, 32), 잡음은 매번 새로
    img = G(z, psi=0.5, noise="none")           # 절단 ψ = 0.5, 잡음 끔
    ws = mix_ws(G.mapping(z1), G.mapping(z2), k=4, n=G.num_ws)   # 층 < 4는 w₁, 나머지는 w₂
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape
from ..train import History, Phase, TrainConfig, adam, run
from .pggan import Discriminator, EqualizedConv2d, crop28, load_mnist32, pixel_norm, up2

NOISE_MODES = ("random", "const", "none")


class MappingLinear(nn.Module):
    """균등 학습률 완전 연결 층 + 학습률 배수 lr_mul (공식 코드: 매핑 신경망은 lr_mul = 0.01)."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        lr_mul: float = 1.0,
        gain: float = math.sqrt(2),
        bias_init: float = 0.0,
    ):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in) / lr_mul)  # 저장값 N(0, 1/lr_mul²)
        self.bias = nn.Parameter(torch.full((c_out,), bias_init / lr_mul))
        self.w_mul, self.b_mul = gain / math.sqrt(c_in) * lr_mul, lr_mul

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.w_mul, self.bias * self.b_mul)


class Mapping(nn.Module):
    """매핑 신경망 f: z → w. 픽셀 정규화한 z를 완전 연결 층 n_layers개(leaky ReLU)에 통과시킨다."""

    def __init__(self, z_dim: int, w_dim: int, n_layers: int = 4, lr_mul: float = 0.01):
        super().__init__()
        dims = [z_dim] + [w_dim] * n_layers
        self.layers = nn.ModuleList(
            [MappingLinear(a, b, lr_mul) for a, b in zip(dims[:-1], dims[1:])]
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = pixel_norm(z)  # (B, z_dim)
        for layer in self.layers:
            h = F.leaky_relu(layer(h), 0.2)
        return h  # (B, w_dim)


def adain(
    x: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor, eps: float = 1e-8
) -> torch.Tensor:
    """AdaIN(x, y) = y_s · (x − μ(x)) / σ(x) + y_b: 채널마다 인스턴스 정규화한 뒤 스타일의 배율·편향을 입힌다.

    Args:
        x: 특징 지도 (B, C, H, W).
        scale, bias: 스타일 y_s, y_b (B, C).
    """
    x = x - x.mean((2, 3), keepdim=True)
    x = x * torch.rsqrt(x.pow(2).mean((2, 3), keepdim=True) + eps)  # 채널마다 평균 0, 표준편차 1
    return scale[:, :, None, None] * x + bias[:, :, None, None]


class StyleLayer(nn.Module):
    """스타일 층 하나: (합성곱) → 잡음·편향 → leaky ReLU → AdaIN(w의 아핀 변환 A가 준 스타일).

    Args:
        c_in, c_out: 채널 수 (conv=False면 같아야 한다: 상수 입력 바로 뒤의 층).
        res: 이 층의 해상도 (고정 잡음 버퍼의 크기).
        w_dim: w의 차원.
        up: 합성곱 앞에서 2배 업샘플할지.
    """

    def __init__(
        self, c_in: int, c_out: int, res: int, w_dim: int, conv: bool = True, up: bool = False
    ):
        super().__init__()
        self.conv = EqualizedConv2d(c_in, c_out, 3) if conv else None
        self.up = up
        self.noise_weight = nn.Parameter(
            torch.zeros(c_out)
        )  # 채널마다 잡음의 세기 B (공식: 0에서 시작)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.affine = MappingLinear(w_dim, 2 * c_out, gain=1.0)  # A: w → (y_s, y_b)
        with torch.no_grad():
            self.affine.bias[:c_out] = 1.0  # y_s의 편향은 1에서 시작 (논문)
        self.register_buffer(
            "const_noise", torch.randn(1, 1, res, res, generator=torch.Generator().manual_seed(res))
        )
        self.res = res

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: str = "random") -> torch.Tensor:
        if self.up:
            x = up2(x)  # (B, C, 2s, 2s)
        if self.conv is not None:
            x = self.conv(x)  # (B, c_out, s, s)
        if noise == "random":
            x = x + self.noise_weight[:, None, None] * torch.randn(
                len(x), 1, self.res, self.res, device=x.device
            )
        elif noise == "const":
            x = x + self.noise_weight[:, None, None] * self.const_noise
        x = F.leaky_relu(x + self.bias[:, None, None], 0.2)
        scale, bias = self.affine(w).chunk(2, dim=1)  # (B, c_out), (B, c_out)
        return adain(x, scale, bias)


def mix_ws(w1: torch.Tensor, w2: torch.Tensor, k: int, n: int) -> torch.Tensor:
    """스타일 혼합: 층 < k에는 w₁, 층 ≥ k에는 w₂를 준 (B, n, w_dim). k = n이면 w₁만, k = 0이면 w₂만."""
    if not 0 <= k <= n:
        raise GanBookError(f"교차점(crossover) k는 0…{n}이어야 합니다: {k}")
    idx = torch.arange(n, device=w1.device)[None, :, None]  # (1, n, 1)
    return torch.where(idx < k, w1[:, None], w2[:, None])  # (B, n, w_dim)


class Generator(nn.Module):
    """StyleGAN 생성자: 매핑 신경망 + 합성 신경망(학습되는 상수 4×4 → 32×32), 스타일 층 2·len(channels)개.

    Args:
        z_dim, w_dim: 잠재 벡터 z와 중간 잠재 벡터 w의 차원.
        channels: 해상도 4, 8, 16, 32의 채널 수.
        map_layers: 매핑 신경망의 층 수 (논문 8).
        lr_mul: 매핑 신경망의 학습률 배수 (논문 0.01).
        w_avg_beta: 추적하는 평균 w의 EMA 계수 (공식 0.995).
    """

    def __init__(
        self,
        z_dim: int = 32,
        w_dim: int = 32,
        channels: tuple[int, ...] = (64, 64, 32, 16),
        map_layers: int = 4,
        lr_mul: float = 0.01,
        w_avg_beta: float = 0.995,
        out_ch: int = 1,
    ):
        super().__init__()
        self.z_dim, self.w_dim, self.channels, self.w_avg_beta = (
            z_dim,
            w_dim,
            tuple(channels),
            w_avg_beta,
        )
        self.mapping = Mapping(z_dim, w_dim, map_layers, lr_mul)
        c0 = channels[0]
        self.const = nn.Parameter(torch.ones(1, c0, 4, 4))  # 학습되는 상수 입력 (공식: 1로 시작)
        layers = [StyleLayer(c0, c0, 4, w_dim, conv=False), StyleLayer(c0, c0, 4, w_dim)]
        for i in range(1, len(channels)):
            res = 4 * 2**i
            layers += [
                StyleLayer(channels[i - 1], channels[i], res, w_dim, up=True),
                StyleLayer(channels[i], channels[i], res, w_dim),
            ]
        self.layers = nn.ModuleList(layers)
        self.to_rgb = EqualizedConv2d(channels[-1], out_ch, 1, gain=1.0)
        self.register_buffer("w_avg", torch.zeros(w_dim))  # 추적한 평균 w (학습 중 EMA)
        self.num_ws = len(layers)
        self.size = 4 * 2 ** (len(channels) - 1)

    @torch.no_grad()
    def track_w(self, w: torch.Tensor) -> None:
        """평균 w를 갱신한다: w̄ ← β·w̄ + (1 − β)·mean(w) (공식 코드의 dlatent_avg)."""
        self.w_avg.copy_(torch.lerp(w.mean(0), self.w_avg, self.w_avg_beta))

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        """절단 기법: w' = w̄ + ψ·(w − w̄). ψ = 1이면 그대로, ψ = 0이면 모두 평균 w."""
        return self.w_avg + psi * (w - self.w_avg) if psi != 1.0 else w

    def synthesis(self, ws: torch.Tensor, noise: str = "random") -> torch.Tensor:
        """합성 신경망: 층마다 w 하나, ws (B, num_ws, w_dim) → 이미지 (B, out_ch, 32, 32).

        Args:
            noise: 'random'(매번 새 잡음), 'const'(층마다 고정한 잡음 한 장), 'none'(잡음 끔).
        """
        check_shape(ws, (None, self.num_ws, self.w_dim), "StyleGAN 합성 신경망 입력 ws")
        if noise not in NOISE_MODES:
            raise GanBookError(
                f"잡음 방식(noise mode)은 {NOISE_MODES} 가운데 하나여야 합니다: {noise!r}"
            )
        h = self.const.expand(len(ws), -1, -1, -1)  # (B, c0, 4, 4)
        for i, layer in enumerate(self.layers):
            h = layer(h, ws[:, i], noise)  # (B, c, res, res)
        return self.to_rgb(h)  # (B, out_ch, 32, 32)

    def forward(self, z: torch.Tensor, psi: float = 1.0, noise: str = "random") -> torch.Tensor:
        check_shape(z, (None, self.z_dim), "StyleGAN 생성자 입력 z")
        w = self.truncate(self.mapping(z), psi)  # (B, w_dim)
        return self.synthesis(w[:, None].expand(-1, self.num_ws, -1), noise)


# --- 학습: 단계 객체, 레시피 ----------------------------------------------------------------


def r1_penalty(D, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """R1 벌점의 ‖∇ₓD(x)‖²를 진짜 x에서 잰다 (배치 평균)와 D(x)를 함께 돌려준다."""
    real = real.detach().requires_grad_(True)
    out = D(real)  # (B,)
    (g,) = torch.autograd.grad(out.sum(), real, create_graph=True)
    return g.pow(2).flatten(1).sum(1).mean(), out


class StyleGANStep:
    """StyleGAN의 단계 객체 (`train.run`에 넘긴다): 국면 'D'와 'G', 둘 다 스타일 혼합으로 가짜를 만든다.

    loss='ns'(공식 코드): D 손실 = softplus(D(G(z))) + softplus(−D(x)), G 손실 = softplus(−D(G(z))).
    loss='hinge'(5장의 빠른 레시피): D 손실 = relu(1 − D(x)) + relu(1 + D(G(z))), G 손실 = −D(G(z)).
    γ > 0이면 D 손실에 (γ/2)·‖∇D(x)‖²·r1_every를 r1_every 단계마다 더한다 (게으른 R1).
    crop=True면 판별자는 가운데 28×28만 본다 (28×28 판별자). G 국면에서 평균 w를 추적한다.
    """

    def __init__(
        self,
        G: Generator,
        D: nn.Module,
        mixing: float,
        gamma: float,
        r1_every: int = 1,
        loss: str = "ns",
        crop: bool = False,
    ):
        from .. import losses as L

        self.G, self.D, self.mixing, self.gamma, self.r1_every = G, D, mixing, gamma, r1_every
        self.pair, self.crop = L.get(loss), crop
        self.nets = {"G": G, "D": D}
        self.n_d, self.r1 = 0, torch.zeros(())

    def _d(self, x: torch.Tensor) -> torch.Tensor:
        return self.D(crop28(x) if self.crop else x)  # (B,)

    def fake(self, n: int, device, track: bool = False) -> torch.Tensor:
        """잠재 벡터 n개로 가짜를 만든다: 확률 mixing으로 두 번째 z₂를 교차점 k ~ U{1, …, num_ws − 1}에서 섞는다."""
        L = self.G.num_ws
        w = self.G.mapping(torch.randn(n, self.G.z_dim, device=device))  # (n, w_dim)
        if track:
            self.G.track_w(w)
        ws = w[:, None].expand(-1, L, -1)  # (n, L, w_dim)
        if self.mixing > 0 and torch.rand(()) < self.mixing:
            w2 = self.G.mapping(torch.randn(n, self.G.z_dim, device=device))
            ws = mix_ws(w, w2, int(torch.randint(1, L, ())), L)
        return self.G.synthesis(ws)

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if phase == "D":
            real = batch[0]  # (B, 1, 32, 32)
            self.D.requires_grad_(True)
            with torch.no_grad():
                fake = self.fake(len(real), real.device)
            self.fake_out = self._d(fake)  # (B,)
            self.n_d += 1
            if self.gamma > 0 and self.n_d % self.r1_every == 0:
                self.r1, self.real_out = r1_penalty(self._d, real)
                reg = 0.5 * self.gamma * self.r1 * self.r1_every
            else:
                self.real_out, reg = self._d(real), 0.0
            self.d_loss = self.pair.d_loss(self.real_out, self.fake_out)
            self.batch = len(real)
            return self.d_loss + reg
        if phase != "G":
            raise GanBookError(
                f"StyleGAN 단계 객체가 모르는 국면(phase)입니다: {phase!r} ('D', 'G')"
            )
        self.D.requires_grad_(False)  # G 국면의 역전파가 D의 기울기를 쌓지 않게
        dev = self.G.const.device
        self.g_loss = self.pair.g_loss(self._d(self.fake(self.batch, dev, track=True)))
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor | float]:
        prob = self.pair.d_prob or (lambda t: t)  # 교차 엔트로피면 확률, 힌지면 날 점수
        return {
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "d_real": prob(self.real_out.detach()).mean(),
            "d_fake": prob(self.fake_out.detach()).mean(),
            "r1": self.r1.detach(),
        }


@dataclass(frozen=True)
class Recipe:
    """StyleGAN 한 번의 학습 설정: 학습(TrainConfig), 크기, 스타일 혼합 확률, 손실과 판별자, R1의 γ.

    disc='pggan'이면 PGGAN 장의 판별자(32×32, d_channels), 'dcgan_sn'이면 5장의 스펙트럼 정규화 판별자
    (가운데 28×28을 본다, 너비 d_ch).
    """

    cfg: TrainConfig
    w_dim: int = 32
    channels: tuple[int, ...] = (32, 32, 16, 8)
    d_channels: tuple[int, ...] = (32, 32, 16, 8)
    map_layers: int = 4
    lr_mul: float = 0.01
    mixing: float = 0.9  # 스타일 혼합 정규화의 확률 (논문 90%)
    gamma: float = 1.0  # R1의 γ
    r1_every: int = 4  # 게으른 R1 (StyleGAN2): 이 간격마다 벌점 × 간격
    loss: str = "ns"
    disc: str = "pggan"
    d_ch: int = 16

    def build(self) -> tuple[Generator, nn.Module]:
        """레시피대로 (G, D)를 만든다 (시드 cfg.seed)."""
        from . import build

        torch.manual_seed(self.cfg.seed)
        G = Generator(self.cfg.z_dim, self.w_dim, self.channels, self.map_layers, self.lr_mul)
        if self.disc == "pggan":
            return G, Discriminator(self.d_channels)
        if self.disc == "dcgan_sn":
            return G, build("dcgan_d", ch=self.d_ch, norm="sn")
        raise GanBookError(
            f"판별자(discriminator) 이름은 'pggan' 또는 'dcgan_sn'이어야 합니다: {self.disc!r}"
        )


def fit(
    G: Generator,
    D: nn.Module,
    data,
    recipe: Recipe,
    *,
    mixing: float | None = None,
    callbacks=(),
    desc: str = "StyleGAN 학습",
    progress: bool = True,
) -> History:
    """StyleGAN을 책의 학습 루프(`train.run`)로 학습한다: 국면 'D', 'G', 생성자 EMA는 `run`의 ema=.

    Args:
        data: 32×32 진짜 배치를 내는 DataLoader 또는 DataBundle (`load_mnist32`).
        mixing: 스타일 혼합 확률 (None이면 recipe.mixing).
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg = recipe.cfg
    dev = default_device()
    seed_all(cfg.seed)
    G.to(dev)
    D.to(dev)
    mix = recipe.mixing if mixing is None else mixing
    step = StyleGANStep(
        G, D, mix, recipe.gamma, recipe.r1_every, recipe.loss, recipe.disc == "dcgan_sn"
    )
    phases = [
        Phase("D", adam(D, cfg.lr_d, cfg)),
        Phase("G", adam(G, cfg.lr_g, cfg), takes_batch=False),
    ]
    hist = run(
        step,
        data,
        phases,
        cfg.steps,
        log_every=cfg.log_every,
        callbacks=callbacks,
        device=dev,
        ema=(G, cfg.ema_decay) if cfg.ema_decay else None,
        desc=desc,
        progress=progress,
    )
    hist.d_output = "prob" if step.pair.d_prob is not None else "score"
    if (
        hist.g_ema is not None
    ):  # AveragedModel 안의 Generator; 평균 w는 학습한 G의 것을 그대로 옮긴다 (공식 코드)
        hist.g_ema = hist.g_ema.module
        hist.g_ema.w_avg.copy_(G.w_avg)
    return hist


# --- 생성과 평가 -----------------------------------------------------------------------------


@torch.no_grad()
def generate(
    G: Generator,
    z: torch.Tensor,
    psi: float = 1.0,
    noise: str = "random",
    seed: int = 0,
    batch: int = 500,
) -> torch.Tensor:
    """평가 모드의 G로 z (N, z_dim)에서 이미지를 만든다 (잡음은 seed로 고정, CPU 텐서 (N, 1, 32, 32))."""
    was = G.training
    G.eval()
    dev = G.const.device
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        out = torch.cat(
            [G(z[i : i + batch].to(dev), psi, noise).cpu() for i in range(0, len(z), batch)]
        )
    G.train(was)
    return out


def evaluate(G: Generator, psi: float = 1.0) -> dict:
    """책의 평가 규약으로 G를 잰다: 표본 N_EVAL장(z 시드 EVAL_SEED), 절단 ψ, 28×28로 잘라(`crop28`)
    `metrics.evaluate_mnist`. 'samples'에 표본 (N, 1, 32, 32)을 함께 돌려준다."""
    from .. import metrics
    from ..latent import random_latents

    z = random_latents(metrics.N_EVAL, G.z_dim, metrics.EVAL_SEED)
    x = generate(G, z, psi, seed=metrics.EVAL_SEED)  # (N, 1, 32, 32)
    return metrics.evaluate_mnist(crop28(x)) | {"samples": x}


def path_length(G: Generator, space: str, n: int = 200, eps: float = 1e-4, seed: int = 0) -> float:
    """지각 경로 길이(PPL): E[‖φ(g(t)) − φ(g(t + ε))‖² / ε²], φ는 심판 분류기의 특징 (LPIPS 대신).

    z 공간은 구면 선형 보간(slerp), w 공간은 선형 보간(lerp), t ~ U(0, 1), 잡음은 끔. 논문처럼 위아래 1%를
    버린 평균. 계산은 float64로 한다 (ε이 작아 float32의 반올림이 차이를 덮지 않게).
    """
    import copy

    from ..metrics.judge import get_judge

    if space not in ("z", "w"):
        raise GanBookError(f"보간 공간(space)은 'z' 또는 'w'여야 합니다: {space!r}")
    g = torch.Generator().manual_seed(seed)
    z0, z1 = torch.randn(n, G.z_dim, generator=g), torch.randn(n, G.z_dim, generator=g)
    t = torch.rand(n, 1, generator=g)
    Gd = copy.deepcopy(G).double().cpu().eval()
    judge = copy.deepcopy(get_judge(progress=False)).double().cpu().eval()
    with torch.no_grad():
        z0, z1, t = z0.double(), z1.double(), t.double()
        if space == "z":
            w = torch.cat([Gd.mapping(_slerp(z0, z1, t)), Gd.mapping(_slerp(z0, z1, t + eps))])
        else:
            w0, w1 = Gd.mapping(z0), Gd.mapping(z1)
            w = torch.cat([torch.lerp(w0, w1, t), torch.lerp(w0, w1, t + eps)])
        img = Gd.synthesis(w[:, None].expand(-1, Gd.num_ws, -1), noise="none")  # (2n, 1, 32, 32)
        feats = judge.features(crop28(img))  # (2n, 64)
    d = (feats[:n] - feats[n:]).pow(2).sum(1) / eps**2  # (n,)
    lo, hi = torch.quantile(d, 0.01), torch.quantile(d, 0.99)
    return d[(d >= lo) & (d <= hi)].mean().item()


def _slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)  # 공식 PPL처럼 단위 구면 위에서
    omega = torch.acos((a * b).sum(1, keepdim=True).clamp(-1, 1))
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b


# quick: 2코어 CPU에서 1분 안팎. 좁은 G (해상도 4·8·16·32에 채널 32·32·16·8), 배치 16, 그리고 5장의 빠른
# 레시피(힌지 손실 + 스펙트럼 정규화 판별자, 큰 학습률, β1 = 0): 이 예산에서는 공식 손실(비포화 + R1)과 PGGAN
# 판별자로 학습한 생성자가 거의 한 모양으로 모였다.
QUICK = Recipe(
    TrainConfig(
        steps=1500,
        batch_size=16,
        z_dim=32,
        lr_g=2e-3,
        lr_d=4e-3,
        betas=(0.0, 0.9),
        ema_decay=0.995,
        log_every=20,
    ),
    loss="hinge",
    disc="dcgan_sn",
    d_ch=16,
    gamma=0.0,
)
# full: 논문의 값 (매핑 8층, w 512, 스타일 혼합 90%, Adam 0.001·β=(0, 0.99), R1 γ = 10) + GPU 학습 길이
FULL = Recipe(
    TrainConfig(
        steps=50_000,
        batch_size=32,
        z_dim=512,
        lr_g=1e-3,
        lr_d=1e-3,
        betas=(0.0, 0.99),
        ema_decay=0.999,
        log_every=200,
    ),
    w_dim=512,
    channels=(512, 512, 256, 128),
    d_channels=(512, 512, 256, 128),
    map_layers=8,
    gamma=10.0,
    r1_every=1,
)
# 미리 학습(tools/pretrain_stylegan.py, gancore/assets/stylegan_mnist.pt): FULL의 학습 설정 그대로(비포화 손실 + R1
# γ = 10을 매 단계, PGGAN 판별자, 매핑 8층, 스타일 혼합 90%, Adam 0.001·β = (0, 0.99), 배치 32, EMA 0.999)에 폭만
# 줄인다 (w 64, 채널 64·64·32·16: 가중치 약 0.9 MB로 저장소와 브라우저에 담긴다). 단계는 FULL의 50,000 대신
# CPU 한 코어에서 한 시간 안쪽인 12,000.
PRETRAIN = replace(
    FULL,
    cfg=replace(FULL.cfg, steps=12_000, z_dim=64, log_every=100),
    w_dim=64,
    channels=(64, 64, 32, 16),
    d_channels=(64, 64, 32, 16),
)
PRETRAINED_PATH = Path(__file__).resolve().parent.parent / "assets" / "stylegan_mnist.pt"


def model_kwargs(rec: Recipe) -> dict:
    """레시피의 생성자를 다시 만드는 `Generator`의 인자 (체크포인트에 함께 적는다)."""
    return {
        "z_dim": rec.cfg.z_dim,
        "w_dim": rec.w_dim,
        "channels": list(rec.channels),
        "map_layers": rec.map_layers,
        "lr_mul": rec.lr_mul,
    }


def pretrained(path: str | Path | None = None) -> tuple[Generator, dict]:
    """미리 학습한 MNIST StyleGAN 생성자(EMA 가중치와 추적한 평균 w)를 평가 모드로 읽는다.

    돌려주는 값: (G, {'config': 학습 설정, 'extra': 만든 명령·측정값 등}). 다른 모델의 체크포인트이면
    한국어 오류(`GanBookError`)를 낸다.
    """
    from ..checkpoint import load_state, read

    ckpt = read(path or PRETRAINED_PATH)
    kw = model_kwargs(PRETRAIN)
    if ckpt["model_name"] == "stylegan_g":  # 다른 모델의 것이면 아래 load_state가 이름으로 거절한다
        kw = ckpt.get("extra", {}).get("model_kwargs", kw)
    G = Generator(**kw)
    info = load_state(ckpt, G, "stylegan_g")
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    return G, info


def recipe() -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL)."""
    from ..runtime import choose

    return choose(quick=QUICK, full=FULL)


MODELS = {"stylegan_g": Generator}
__all__ = ["Generator", "Mapping", "StyleLayer", "adain", "mix_ws", "load_mnist32", "crop28"]
