"""DCGAN (Radford, Metz & Chintala 2015)의 생성자와 판별자, MNIST 28×28 크기.

논문의 다섯 가지 구조 지침을 그대로 따른다:
1. 풀링(pooling) 대신 보폭(stride) 있는 합성곱: D는 stride 2 합성곱으로 줄이고, G는 stride 2
   전치 합성곱(transposed convolution)으로 키운다.
2. 배치 정규화(batch normalization): G의 출력층과 D의 입력층을 뺀 모든 층에.
3. 완전연결 은닉층 없음: z를 7×7 특징 맵으로 올리는 첫 층도 (1×1 입력에 대한) 전치 합성곱이다.
4. G는 ReLU, 출력층만 tanh.
5. D는 LeakyReLU(0.2).

판별자는 `norm="sn"`이면 배치 정규화 대신 스펙트럼 정규화(spectral normalization, Miyato et al. 2018)를
쓴다: 5장의 '빠른 레시피'가 쓰는 변형이다. 가중치는 N(0, 0.02)로 초기화한다 (`init_weights`).

    G = models.build("dcgan_g", z_dim=64, ch=32)      # z (B, 64) → x (B, 1, 28, 28)
    D = models.build("dcgan_d", ch=32, norm="sn")     # x (B, 1, 28, 28) → 로짓 (B,)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ..errors import GanBookError, check_shape, unknown_name
from ..runtime import choose
from ..train import TrainConfig

NORMS = ("bn", "sn", "none")
# 미리 학습한 생성자(tools/pretrain_dcgan.py가 만든다)의 파일과 구조
PRETRAINED_PATH = Path(__file__).resolve().parent.parent / "assets" / "dcgan_mnist.pt"


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """DCGAN 초기화: (전치) 합성곱 가중치 ~ N(0, std²), 배치 정규화 γ ~ N(1, std²), 편향 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, std)
            nn.init.zeros_(m.bias)


def convt_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """전치 합성곱의 출력 크기: out = (in − 1)·s − 2p + k (Dumoulin & Visin 2016)."""
    return (size - 1) * stride - 2 * padding + kernel


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """합성곱의 출력 크기: out = ⌊(in + 2p − k) / s⌋ + 1."""
    return (size + 2 * padding - kernel) // stride + 1


class DCGANGenerator(nn.Module):
    """z (B, z_dim) → 이미지 (B, out_ch, 28, 28), 값은 tanh로 [-1, 1].

    층: z를 (B, z_dim, 1, 1)로 보고 전치 합성곱으로 7×7 → 14×14 → 28×28.
    채널 수는 2·ch → ch → out_ch. ch가 작을수록 CPU에서 빠르다.
    """

    def __init__(self, z_dim: int = 64, ch: int = 64, out_ch: int = 1, batchnorm: bool = True):
        super().__init__()
        if z_dim < 1 or ch < 1 or out_ch < 1:
            raise GanBookError(
                f"z_dim, ch, out_ch는 1 이상이어야 합니다(got {z_dim}, {ch}, {out_ch})."
            )
        self.z_dim, self.out_ch = z_dim, out_ch

        def bn(c: int) -> nn.Module:
            return nn.BatchNorm2d(c) if batchnorm else nn.Identity()

        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 2 * ch, 7, 1, 0, bias=not batchnorm),  # (B, 2ch, 7, 7)
            bn(2 * ch),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1, bias=not batchnorm),  # (B, ch, 14, 14)
            bn(ch),
            nn.ReLU(),
            nn.ConvTranspose2d(ch, out_ch, 4, 2, 1),  # (B, out_ch, 28, 28)
            nn.Tanh(),
        )
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_shape(z, [None, self.z_dim], "생성자 입력 z")
        return self.net(z[:, :, None, None])  # (B, z_dim, 1, 1) → (B, out_ch, 28, 28)


class DCGANDiscriminator(nn.Module):
    """이미지 (B, in_ch, 28, 28) → 로짓 (B,). sigmoid는 손실 함수 안에 있다.

    층: stride 2 합성곱으로 28 → 14 → 7, 마지막 7×7 합성곱이 (B, 1, 1, 1)로 모은다 (풀링·FC 없음).
    norm: 'bn'(논문: 첫 층 빼고 배치 정규화), 'sn'(모든 층에 스펙트럼 정규화), 'none'.
    """

    def __init__(self, ch: int = 64, in_ch: int = 1, norm: str = "bn"):
        super().__init__()
        if norm not in NORMS:
            raise unknown_name("정규화(normalization)", norm, NORMS)
        if ch < 1 or in_ch < 1:
            raise GanBookError(f"ch, in_ch는 1 이상이어야 합니다(got {ch}, {in_ch}).")
        self.in_ch, self.norm = in_ch, norm
        convs = [
            nn.Conv2d(in_ch, ch, 4, 2, 1),  # (B, ch, 14, 14)
            nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=norm != "bn"),  # (B, 2ch, 7, 7)
            nn.Conv2d(2 * ch, 1, 7, 1, 0),  # (B, 1, 1, 1)
        ]
        for c in convs:
            init_weights(c)
        if norm == "sn":
            convs = [spectral_norm(c) for c in convs]
        self.net = nn.Sequential(
            convs[0],
            nn.LeakyReLU(0.2),
            convs[1],
            nn.BatchNorm2d(2 * ch) if norm == "bn" else nn.Identity(),
            nn.LeakyReLU(0.2),
            convs[2],
        )
        init_weights(self.net[3])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, [None, self.in_ch, 28, 28], "판별자 입력 x")
        return self.net(x).flatten()  # (B,)


def shape_table(model: nn.Module, x: torch.Tensor) -> list[dict]:
    """forward hook으로 층마다 (층 이름, 종류, 입력 모양, 출력 모양)을 잰다.

    전치 합성곱 층에는 공식 (in − 1)·s − 2p + k로 계산한 크기도 함께 적어 실제 출력과 맞대 볼 수 있게 한다.
    """
    rows: list[dict] = []
    hooks = []

    def hook(name: str):
        def fn(mod: nn.Module, inp, out) -> None:
            row = {
                "층": name,
                "종류": type(mod).__name__,
                "입력": tuple(inp[0].shape[1:]),
                "출력": tuple(out.shape[1:]),
            }
            if isinstance(mod, (nn.ConvTranspose2d, nn.Conv2d)):
                k, s, p = mod.kernel_size[0], mod.stride[0], mod.padding[0]
                f = convt_out if isinstance(mod, nn.ConvTranspose2d) else conv_out
                row.update(k=k, s=s, p=p, 공식=f(inp[0].shape[-1], k, s, p))
            rows.append(row)

        return fn

    for name, m in model.named_modules():
        if "parametrizations" in name:  # 스펙트럼 정규화의 내부 모듈은 건너뛴다
            continue
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) or not list(m.children()):
            hooks.append(m.register_forward_hook(hook(name)))
    was_training = model.training
    model.eval()  # 배치 정규화의 running 통계를 건드리지 않도록
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return rows


@dataclass(frozen=True)
class Recipe:
    """DCGAN 학습 레시피 하나: 모델 크기 + 학습 설정 + 손실 + 판별자 정규화 + 메모리 배치.

    5장과 `tools/pretrain_dcgan.py`가 같은 프리셋(QUICK, FULL)을 쓴다.
    """

    ch: int
    cfg: TrainConfig
    loss: str = "hinge"
    norm: str = "sn"
    channels_last: bool = True  # CPU의 합성곱이 (B, H, W, C) 배치에서 더 빠르다 (5장 실험 2가 잰다)

    @property
    def z_dim(self) -> int:
        return self.cfg.z_dim

    def build(self) -> tuple[DCGANGenerator, DCGANDiscriminator]:
        """이 레시피의 (G, D)를 새로 만든다 (가중치 N(0, 0.02) 초기화)."""
        G = DCGANGenerator(z_dim=self.z_dim, ch=self.ch)
        D = DCGANDiscriminator(ch=self.ch, norm=self.norm)
        if self.channels_last:
            G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
        return G, D


# quick: 빈 2코어 CPU에서 90초 안쪽. full: 더 넓은 모델을 더 오래 (미리 학습한 생성자가 이것으로 만들어진다)
QUICK = Recipe(
    ch=16,
    cfg=TrainConfig(
        steps=3500,
        batch_size=64,
        z_dim=64,
        lr_g=3e-3,
        lr_d=6e-3,
        betas=(0.0, 0.9),
        ema_decay=0.995,
        share_fake=True,
        seed=0,
    ),
)
# full은 quick에서 바뀌는 것만 적는다: 두 배 넓게, 더 오래, 학습률 3분의 2, 더 긴 EMA 창
FULL = replace(
    QUICK,
    ch=32,
    cfg=replace(QUICK.cfg, steps=10_000, lr_g=2e-3, lr_d=4e-3, ema_decay=0.999),
)


def recipe(mode: str | None = None) -> Recipe:
    """현재 모드(GANBOOK_MODE, 또는 GPU가 있으면 full)의 레시피. mode를 주면 그것을 쓴다."""
    if mode is None:
        return choose(quick=QUICK, full=FULL)
    if mode not in ("quick", "full"):
        raise unknown_name("레시피 모드(mode)", mode, ("quick", "full"))
    return QUICK if mode == "quick" else FULL


def pretrained(path: str | Path | None = None) -> tuple[DCGANGenerator, dict]:
    """미리 학습한 MNIST DCGAN 생성자(EMA 가중치)를 평가 모드로 읽는다.

    돌려주는 값: (G, {'config': 학습 설정, 'extra': 만든 명령·측정값 등}).
    """
    G = DCGANGenerator(z_dim=FULL.z_dim, ch=FULL.ch)
    from ..checkpoint import load

    info = load(path or PRETRAINED_PATH, G, "dcgan_g")
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    return G, info


MODELS = {"dcgan_g": DCGANGenerator, "dcgan_d": DCGANDiscriminator}
