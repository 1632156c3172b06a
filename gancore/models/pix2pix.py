"""Pix2Pix (Isola 외 2017): U-Net 생성자, PatchGAN 판별자, 수용 영역 계산, 그리고 학습 단계 객체.

공식 코드(junyanz/pytorch-CycleGAN-and-pix2pix `models/networks.py`)의 `UnetGenerator`와
`NLayerDiscriminator`를 재귀 대신 평평한 층 목록으로 옮겼다. z는 없다: 조건 이미지 x만 받는다.

    G = build("unet", in_ch=1, out_ch=1, size=32, ngf=16)           # (B, 1, 32, 32) → (B, 1, 32, 32)
    D = build("patchgan", in_ch=1 + 1, ndf=16, n_layers=1)          # D(x, y) → (B, 1, h, w) 패치 점수
    receptive_field(D)                                              # 16 (n_layers=3이면 70)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape
from ..train import Phase, TrainConfig, adam, run


def _channels(ngf: int, n_down: int) -> list[int]:
    return [ngf * min(2**i, 8) for i in range(n_down)]  # 공식 코드처럼 ngf·8에서 멈춘다


class UNetGenerator(nn.Module):
    """U-Net 생성자: 보폭 2 합성곱으로 1×1까지 줄였다가 전치 합성곱으로 되돌리며, 같은 크기의 인코더 특징을
    채널 방향으로 이어 붙인다(skip). skips=False면 같은 층에서 이어 붙이기만 뺀 인코더-디코더다.

    Args:
        in_ch, out_ch: 입력(조건)과 출력 이미지의 채널 수.
        size: 입력 한 변의 크기 (2의 거듭제곱). 층 수 n_down = log2(size)로 가운데가 1×1이 된다.
        ngf: 첫 층의 채널 수 (깊어질수록 두 배, 최대 ngf·8).
        dropout: 가장 안쪽 디코더 층들의 드롭아웃 (공식 코드의 잡음 대신; 0이면 없음).
        skips: 건너뛰기 연결(skip connection)을 쓸지.
    """

    def __init__(
        self,
        in_ch: int = 1,
        out_ch: int = 1,
        size: int = 32,
        ngf: int = 16,
        dropout: float = 0.0,
        skips: bool = True,
    ):
        super().__init__()
        n_down = round(math.log2(size))
        if size < 4 or 2**n_down != size:
            raise GanBookError(f"U-Net의 크기(size)는 4 이상인 2의 거듭제곱이어야 합니다: {size}")
        self.in_ch, self.size, self.skips = in_ch, size, skips
        ch = _channels(ngf, n_down)
        self.down = nn.ModuleList()
        for i, c in enumerate(ch):
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(in_ch if i == 0 else ch[i - 1], c, 4, 2, 1, bias=False))
            if 0 < i < n_down - 1:  # 바깥층과 가장 안쪽 층에는 정규화가 없다 (공식 코드)
                layers.append(nn.BatchNorm2d(c))
            self.down.append(nn.Sequential(*layers))
        self.up = nn.ModuleList()
        for i in reversed(range(n_down)):  # 안쪽에서 바깥쪽으로
            c_in = ch[i] * (2 if (skips and i < n_down - 1) else 1)
            last = i == 0
            c_out = out_ch if last else ch[i - 1]
            layers = [nn.ReLU(), nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=last)]
            if last:
                layers.append(nn.Tanh())
            else:
                layers.append(nn.BatchNorm2d(c_out))
                if dropout > 0 and i >= n_down - 3:  # 가장 안쪽 디코더 셋 (공식: ngf·8 층)
                    layers.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, (None, self.in_ch, self.size, self.size), "U-Net 입력 x")
        feats = []
        h = x  # (B, in_ch, S, S)
        for layer in self.down:
            h = layer(h)  # (B, c_i, S/2^(i+1), S/2^(i+1)) … 마지막은 (B, c, 1, 1)
            feats.append(h)
        h = self.up[0](feats[-1])  # (B, c_{n-2}, 2, 2)
        for layer, skip in zip(self.up[1:], reversed(feats[:-1])):
            if self.skips:
                h = torch.cat([h, skip], dim=1)  # (B, 2c, s, s): 같은 크기의 인코더 특징을 잇는다
            h = layer(h)  # (B, c', 2s, 2s)
        return h  # (B, out_ch, S, S), [-1, 1]


class PatchGAN(nn.Module):
    """PatchGAN(마르코프) 판별자: 조건 x와 이미지 y를 채널로 이어 받아, 패치마다 진짜/가짜 로짓을 낸다.

    공식 `NLayerDiscriminator`와 같은 층: 보폭 2의 4×4 합성곱 n_layers번, 보폭 1 합성곱 두 번.
    n_layers=3이면 공식 기본값 'basic', 곧 "70×70 PatchGAN"이다.

    Args:
        in_ch: 입력 채널 수 (조건 채널 + 이미지 채널).
        ndf: 첫 층의 채널 수.
        n_layers: 보폭 2 합성곱의 수.
    """

    def __init__(self, in_ch: int = 2, ndf: int = 16, n_layers: int = 3):
        super().__init__()
        if n_layers < 1:
            raise GanBookError(f"PatchGAN의 n_layers는 1 이상이어야 합니다: {n_layers}")
        self.in_ch = in_ch
        layers: list[nn.Module] = [nn.Conv2d(in_ch, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        c = ndf
        for n in range(1, n_layers + 1):  # 보폭 2 (n < n_layers), 마지막 하나는 보폭 1
            c_next = ndf * min(2**n, 8)
            stride = 2 if n < n_layers else 1
            layers += [
                nn.Conv2d(c, c_next, 4, stride, 1, bias=False),
                nn.BatchNorm2d(c_next),
                nn.LeakyReLU(0.2),
            ]
            c = c_next
        layers.append(nn.Conv2d(c, 1, 4, 1, 1))  # 패치마다 로짓 하나
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """D(x, y): 조건 x와 (진짜 또는 생성한) 이미지 y → (B, 1, h, w) 로짓 지도. y=None이면 x만 받는다."""
        h = x if y is None else torch.cat([x, y], dim=1)  # (B, in_ch, H, W)
        check_shape(h, (None, self.in_ch, None, None), "PatchGAN 입력 (x, y)")
        return self.net(h)  # (B, 1, h, w)


def conv_layers(model: nn.Module) -> list[tuple[int, int, int]]:
    """모델의 합성곱 층을 순서대로 (창 k, 보폭 s, 팽창 d)로 적는다 (정사각형 창만)."""
    out = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            out.append((m.kernel_size[0], m.stride[0], m.dilation[0]))
    return out


def receptive_field(layers: nn.Module | list[tuple[int, ...]]) -> int:
    """출력 한 칸이 보는 입력의 한 변(수용 영역, receptive field)을 층 목록에서 계산한다.

    r_0 = 1에서 시작해 층마다 r ← r + (k − 1)·d·(앞 층들의 보폭의 곱). 패딩은 크기에 영향이 없다.

    Args:
        layers: (k, s) 또는 (k, s, d)의 목록, 또는 합성곱 층을 가진 모델.
    """
    if isinstance(layers, nn.Module):
        layers = conv_layers(layers)
    if not layers:
        raise GanBookError("합성곱 층(conv layer)이 하나도 없습니다.")
    r, jump = 1, 1
    for layer in layers:
        k, s = layer[0], layer[1]
        d = layer[2] if len(layer) > 2 else 1
        r += (k - 1) * d * jump
        jump *= s
    return r


def measured_receptive_field(D: nn.Module, in_ch: int, size: int) -> tuple[int, int, torch.Tensor]:
    """출력 가운데 한 칸을 입력까지 역전파해 기울기가 0이 아닌 화소의 (높이, 너비, 지도)를 잰다.

    배치 정규화가 배치 통계로 화소들을 잇지 않도록 평가 모드에서 잰다 (끝나면 원래 모드로).
    """
    was = D.training
    D.eval()
    x = torch.randn(1, in_ch, size, size, requires_grad=True)
    out = D(x)  # (1, 1, h, w)
    h, w = out.shape[-2:]
    out[0, 0, h // 2, w // 2].backward()
    mask = (x.grad[0].abs().sum(0) > 0).float()  # (size, size)
    D.train(was)
    rows, cols = mask.any(1).nonzero(), mask.any(0).nonzero()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1), mask


# --- 학습 ---------------------------------------------------------------------------------


class Pix2PixStep:
    """Pix2Pix의 단계 객체 (`train.run`에 넘긴다): 국면 'D'와 'G'가 같은 배치를 쓴다.

    D 손실 = ½·[BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)] (공식 코드처럼 반으로),
    G 손실 = BCE(D(x, G(x)), 1) + λ·‖y − G(x)‖₁. adversarial=False면 'G' 국면만(L1만) 돈다.
    """

    def __init__(self, G: nn.Module, D: nn.Module | None, lam_l1: float, adversarial: bool = True):
        from .. import losses as L

        self.G, self.D, self.lam = G, D, lam_l1
        self.adversarial = adversarial
        self.pair = L.get("ns")
        self.nets = {"G": G} if D is None else {"G": G, "D": D}
        self.zero = torch.zeros(())

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if batch is not None:  # 이 단계의 첫 국면: 새 배치로 G(x)를 한 번 계산한다
            self.x, self.y = batch  # (B, C_in, S, S), (B, C_out, S, S)
            self.fake = self.G(self.x)  # (B, C_out, S, S)
        if phase == "D":
            self.D.requires_grad_(True)
            self.real_out = self.D(self.x, self.y)  # (B, 1, h, w)
            self.fake_out = self.D(self.x, self.fake.detach())
            self.d_loss = 0.5 * self.pair.d_loss(self.real_out, self.fake_out)
            return self.d_loss
        self.g_l1 = F.l1_loss(self.fake, self.y)
        if self.adversarial:
            self.D.requires_grad_(False)  # G 국면의 역전파가 D의 기울기를 쌓지 않게 (공식 코드)
            self.g_gan = self.pair.g_loss(self.D(self.x, self.fake))
        else:
            self.g_gan = self.zero
        self.g_loss = self.g_gan + self.lam * self.g_l1
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor]:
        out = {"g_loss": self.g_loss, "g_gan": self.g_gan, "g_l1": self.g_l1}
        if self.adversarial:
            out.update(
                d_loss=self.d_loss,
                d_real=torch.sigmoid(self.real_out.detach()).mean(),
                d_fake=torch.sigmoid(self.fake_out.detach()).mean(),
            )
        return out


@dataclass(frozen=True)
class Recipe:
    """Pix2Pix 한 번의 학습 설정: 학습(TrainConfig), λ, 모델 크기."""

    cfg: TrainConfig
    lam_l1: float = 100.0
    ngf: int = 16
    ndf: int = 16
    n_layers: int = 1
    dropout: float = 0.0

    def build(self, in_ch: int = 1, out_ch: int = 1, size: int = 32, skips: bool = True):
        """레시피대로 (G, D)를 만든다 (시드 cfg.seed)."""
        torch.manual_seed(self.cfg.seed)
        G = UNetGenerator(in_ch, out_ch, size, self.ngf, self.dropout, skips)
        D = PatchGAN(in_ch + out_ch, self.ndf, self.n_layers)
        return G, D


def fit(
    G: nn.Module,
    D: nn.Module | None,
    data,
    recipe: Recipe,
    *,
    adversarial: bool = True,
    lam_l1: float | None = None,
    callbacks=(),
    desc: str = "Pix2Pix 학습",
    progress: bool = True,
):
    """Pix2Pix를 책의 학습 루프(`train.run`)로 학습한다: 국면 'D', 'G' (adversarial=False면 'G'만).

    Args:
        data: (조건 x, 목표 y) 배치를 내는 DataLoader 또는 DataBundle (`data.load_paired`).
        recipe: 학습 설정과 λ (lam_l1로 λ만 바꿀 수 있다; 0이면 GAN 손실만).
        adversarial: False면 판별자 없이 λ·L1만 최소화한다.
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg = recipe.cfg
    lam = recipe.lam_l1 if lam_l1 is None else lam_l1
    if not adversarial and lam <= 0:
        raise GanBookError(
            "GAN 손실도 L1 손실도 없습니다: adversarial=False면 lam_l1 > 0이어야 합니다."
        )
    dev = default_device()
    seed_all(cfg.seed)
    G.to(dev)
    phases = []
    if adversarial:
        D.to(dev)
        phases.append(Phase("D", adam(D, cfg.lr_d, cfg)))
    phases.append(Phase("G", adam(G, cfg.lr_g, cfg), takes_batch=not adversarial))
    step = Pix2PixStep(G, D if adversarial else None, lam, adversarial)
    return run(
        step,
        data,
        phases,
        cfg.steps,
        log_every=cfg.log_every,
        callbacks=callbacks,
        device=dev,
        desc=desc,
        progress=progress,
    )


@torch.no_grad()
def translate(G: nn.Module, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    """평가 모드의 G로 조건 이미지 x를 옮긴다 (CPU 텐서)."""
    was = G.training
    G.eval()
    dev = next(G.parameters()).device
    out = torch.cat([G(x[i : i + batch].to(dev)).cpu() for i in range(0, len(x), batch)])
    G.train(was)
    return out


# --- 평가 ---------------------------------------------------------------------------------


def gradient_energy(x: torch.Tensor) -> torch.Tensor:
    """이미지마다 이웃 화소 차이의 제곱 평균 (N,): 흐린 이미지일수록 작다 (선명도 sharpness의 잣대)."""
    dx = x[..., :, 1:] - x[..., :, :-1]  # (N, C, H, W-1)
    dy = x[..., 1:, :] - x[..., :-1, :]  # (N, C, H-1, W)
    return dx.pow(2).flatten(1).mean(1) + dy.pow(2).flatten(1).mean(1)


def evaluate(G: nn.Module, bundle) -> dict:
    """held-out 짝 데이터에서 G를 잰다: L1 오차, 선명도 비, classifier-FID, 심판이 본 숫자 정확도.

    Args:
        G: 학습한 생성자.
        bundle: `data.load_paired(..., split="test")`의 DataBundle (meta의 'labels', 'pad'를 쓴다).

    Returns:
        'l1': 목표와의 화소 평균 절대 오차, 'sharpness': 출력의 gradient_energy 평균 ÷ 진짜 목표의 평균
        (1이면 진짜만큼 선명), 'cfid': 심판 특징 공간에서 진짜 test 숫자와의 FID, 'acc': 심판이 원래 숫자로
        알아본 비율, 'out': 출력 이미지.
    """
    from .. import metrics

    out = translate(G, bundle.x)  # (N, 1, S, S)
    p = bundle.meta.get("pad", 0)
    crop = out[..., p : out.shape[-2] - p, p : out.shape[-1] - p]  # (N, 1, 28, 28): 심판의 크기
    return {
        "l1": (out - bundle.y).abs().mean().item(),
        "sharpness": (gradient_energy(out).mean() / gradient_energy(bundle.y).mean()).item(),
        "cfid": metrics.cfid(crop),
        "acc": metrics.label_accuracy(crop, bundle.meta["labels"]),
        "out": out,
    }


# quick: 2코어 CPU에서 1분 안팎. 좁은 모델(ngf=ndf=8), 배치 32, 1,000단계 (4,000장을 8번 돈다).
QUICK = Recipe(
    TrainConfig(steps=1000, batch_size=32, lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999), log_every=20),
    ngf=8,
    ndf=8,
)
# full: 논문·공식 코드의 값 (λ=100, Adam 2e-4, β1=0.5, 공식 너비 ngf=ndf=64, 드롭아웃 0.5) + 더 긴 학습
FULL = Recipe(
    TrainConfig(
        steps=20000, batch_size=16, lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999), log_every=100
    ),
    ngf=64,
    ndf=64,
    dropout=0.5,
)


def recipe() -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL)."""
    from ..runtime import choose

    return choose(quick=QUICK, full=FULL)


MODELS = {"unet": UNetGenerator, "patchgan": PatchGAN}
