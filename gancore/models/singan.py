"""SinGAN (Shaham 외 2019): 사진 한 장의 척도 피라미드를 거친 척도부터 고운 척도로 학습한다.

피라미드는 하나의 구조다: `Pyramid`는 척도(`Scale`: 생성자, 비평자, 진짜 이미지, 고정 재구성 잡음, 잡음 세기)의
목록이다. 공식 코드(tamarott/SinGAN)의 나란한 목록(Gs, Zs, reals, NoiseAmp) 대신이다. 척도 번호는 공식 코드처럼
거친 쪽이 0이다 (논문의 n = N이 코드의 0, 논문의 n = 0이 코드의 마지막).

    pyr, hists = fit(gc.data.load_photo("immunohistochemistry"), QUICK)
    pyr.sample(4, seed=0)                      # (4, 3, H, W) 무작위 표본
    pyr.sample(2, scale_hw=(1.0, 2.0))         # 가로로 두 배인 표본
    pyr.sample(2, start=3)                     # 척도 3부터만 잡음을 넣는다
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape, unknown_name
from ..losses import gradient_penalty
from ..train import History, Phase, TrainConfig, run


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]


def _init(m: nn.Module) -> None:  # 공식 weights_init: N(0, 0.02), 배치 정규화 가중치 N(1, 0.02)
    if isinstance(m, nn.Conv2d):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class ScaleGenerator(nn.Module):
    """한 척도의 생성자 ψ: 합성곱 블록 다섯 개, x̃ = prev + ψ(z + prev).

    블록 넷은 Conv3×3–BN–LeakyReLU(0.2), 다섯째는 공식 코드처럼 Conv3×3–Tanh다. 패딩 없는 합성곱 다섯 번이 한 변을
    10화소 줄이므로, 입력 z + prev의 가장자리에 0을 5화소 붙여 출력이 prev와 같은 크기가 되게 한다 (공식 코드).

    Args:
        ch: 이미지 채널 수.
        nfc: 블록의 채널 수.
    """

    def __init__(self, ch: int = 3, nfc: int = 32):
        super().__init__()
        self.ch = ch
        layers = _block(ch, nfc) + _block(nfc, nfc) + _block(nfc, nfc) + _block(nfc, nfc)
        self.body = nn.Sequential(*layers, nn.Conv2d(nfc, ch, 3), nn.Tanh())
        self.pad = 5
        self.apply(_init)

    def forward(self, z: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """z: 잡음 (이미 세기 σ를 곱한 것), prev: 거친 척도의 결과를 이 크기로 키운 것. 둘 다 (B, C, H, W)."""
        check_shape(prev, (None, self.ch, None, None), "SinGAN 생성자 입력 prev")
        check_shape(z, tuple(prev.shape), "SinGAN 생성자 잡음 z")
        h = F.pad(z + prev, [self.pad] * 4)  # (B, C, H+10, W+10)
        return prev + self.body(h)  # (B, C, H, W): 잔차(residual) — ψ는 고칠 것만 더한다


class PatchCritic(nn.Module):
    """한 척도의 패치 비평자(critic): 생성자와 같은 블록 구조, 마지막 합성곱이 패치마다 점수 하나를 낸다.

    패딩이 없어 출력은 (B, 1, H−10, W−10)이고, 한 칸의 수용 영역은 11×11이다.
    """

    def __init__(self, ch: int = 3, nfc: int = 32):
        super().__init__()
        self.ch = ch
        layers = _block(ch, nfc) + _block(nfc, nfc) + _block(nfc, nfc) + _block(nfc, nfc)
        self.net = nn.Sequential(*layers, nn.Conv2d(nfc, 1, 3))
        self.apply(_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, (None, self.ch, None, None), "SinGAN 비평자 입력")
        return self.net(x)  # (B, 1, H-10, W-10) 패치 점수


# --- 피라미드 -----------------------------------------------------------------------------


def pyramid_sizes(
    h: int, w: int, factor: float = 0.75, min_size: int = 25, max_size: int = 250
) -> tuple[list[tuple[int, int]], float]:
    """공식 코드의 식으로 척도들의 (높이, 너비)를 거친 것부터 정하고, 실제로 쓴 축소 비율과 함께 돌려준다.

    가장 고운 척도는 긴 변이 max_size 이하가 되게 줄인 이미지, 가장 거친 척도는 짧은 변이 min_size다. 척도 수는
    factor로 정하고, 비율은 양 끝이 정확히 맞도록 factor 근처로 다시 맞춘다.
    """
    if not 0 < factor < 1:
        raise GanBookError(f"축소 비율(scale factor)은 0과 1 사이여야 합니다: {factor}")
    if min(h, w) <= min_size or min_size < 11:
        raise GanBookError(
            f"이미지 {h}×{w}가 가장 거친 척도의 크기(min_size={min_size})보다 커야 하고, "
            "min_size는 비평자의 수용 영역(receptive field) 11 이상이어야 합니다."
        )
    n_scales = math.ceil(math.log(min_size / min(h, w)) / math.log(factor)) + 1
    to_stop = math.ceil(math.log(min(max_size, max(h, w)) / max(h, w)) / math.log(factor))
    stop = n_scales - to_stop  # 가장 고운 척도의 번호
    s1 = min(max_size / max(h, w), 1.0)
    h1, w1 = math.ceil(h * s1 - 1e-9), math.ceil(w * s1 - 1e-9)
    r = (min_size / min(h1, w1)) ** (1 / stop)
    sizes = [
        (math.ceil(h1 * r**k - 1e-9), math.ceil(w1 * r**k - 1e-9)) for k in range(stop, -1, -1)
    ]
    return sizes, r


def resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """(B, C, H, W)를 (B, C, h, w)로: 쌍삼차 보간, 줄일 때는 안티에일리어싱 (공식 imresize처럼)."""
    return F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True)


@dataclass
class Scale:
    """피라미드의 한 척도: 자기 생성자·비평자, 그 크기의 진짜 이미지, 고정 재구성 잡음, 잡음 세기 σ."""

    G: ScaleGenerator
    D: PatchCritic
    real: torch.Tensor  # (1, C, h, w)
    z_rec: torch.Tensor  # (1, C, h, w): 가장 거친 척도만 무작위, 나머지는 0 (논문의 z_rec)
    amp: float  # 잡음 세기 σ: 가장 거친 척도는 1, 나머지는 amp_init · RMSE

    @property
    def size(self) -> tuple[int, int]:
        return tuple(self.real.shape[-2:])


def noise(n: int, size: tuple[int, int], coarsest: bool, gen=None, device=None) -> torch.Tensor:
    """표준정규 잡음 (n, 3, h, w). 가장 거친 척도는 공식 코드처럼 한 채널을 세 채널로 복사한다 (회색 잡음)."""
    c = 1 if coarsest else 3
    z = torch.randn(n, c, *size, generator=gen, device=device)
    return z.expand(n, 3, *size)


@dataclass
class Pyramid:
    """척도들의 목록 (거친 것부터). 생성은 모두 `generate` 하나를 지난다."""

    scales: list[Scale] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.scales)

    def __getitem__(self, n: int) -> Scale:
        return self.scales[n]

    def generate(self, n: int, upto: int, start: int = 0, scale_hw=(1.0, 1.0), gen=None):
        """척도 0..upto−1을 차례로 지나 (n, C, h, w)를 만든다. 척도 start 전까지는 재구성 잡음 z_rec를 쓴다."""
        if not 0 <= start <= upto <= len(self):
            raise GanBookError(
                f"척도 번호가 맞지 않습니다: start={start}, upto={upto}, 척도 {len(self)}개"
            )
        fy, fx = scale_hw
        if start > 0 and (fy, fx) != (1.0, 1.0):
            raise GanBookError(
                "중간 척도에서 시작(start > 0)할 때는 학습한 크기(scale_hw=(1, 1))만 됩니다."
            )
        x = None
        for i, s in enumerate(self.scales[:upto]):
            h, w = s.size
            size = (max(round(h * fy), 11), max(round(w * fx), 11))
            dev = s.real.device
            prev = torch.zeros(n, 3, *size, device=dev) if x is None else resize(x, size)
            if i < start:
                z = s.z_rec.expand(n, -1, -1, -1)
            else:
                z = noise(n, size, i == 0, gen, dev)
            x = s.G(s.amp * z, prev)  # (n, C, h, w): x̃_i = up(x̃_{i−1}) + ψ_i(z_i + up(x̃_{i−1}))
        return x

    def prev(self, n: int, kind: str, gen=None) -> torch.Tensor:
        """척도 n의 입력 up(x̃_{n−1}): kind 'rand'(무작위 표본) 또는 'rec'(재구성). 척도 0이면 0."""
        if kind not in ("rand", "rec"):
            raise unknown_name("생성 방식(kind)", kind, ["rand", "rec"])
        size = self.scales[n].size
        if n == 0:
            return torch.zeros(1, 3, *size, device=self.scales[0].real.device)
        x = self.generate(1, n, start=n if kind == "rec" else 0, gen=gen)
        return resize(x, size)

    @torch.no_grad()
    def reconstruct(self) -> torch.Tensor:
        """모든 척도에서 z_rec를 쓴 재구성 (1, C, H, W)."""
        return self.generate(1, len(self), start=len(self)).cpu()

    @torch.no_grad()
    def sample(self, n: int = 1, *, seed: int = 0, start: int = 0, scale_hw=(1.0, 1.0)):
        """무작위 표본 (n, C, H·fy, W·fx) (CPU). start > 0이면 그 척도부터만 잡음을 넣는다."""
        dev = self.scales[0].real.device
        gen = torch.Generator(device=dev).manual_seed(seed)
        return self.generate(n, len(self), start, scale_hw, gen).cpu()


def gradient_penalty_pixel(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, weight: float):
    """공식 SinGAN의 기울기 벌점: 기울기의 노름을 채널 방향으로만(화소마다) 재어 1에서 벗어난 만큼 평균한다.

    7장의 `losses.gradient_penalty`와 같은 함수이고, 노름만 이미지 전체가 아니라 화소마다 잰다(`per_pixel=True`,
    공식 코드의 `norm(2, dim=1)`).
    """
    return gradient_penalty(D, real, fake, weight=weight, per_pixel=True)


# --- 학습 ---------------------------------------------------------------------------------


class SinGANStep:
    """한 척도의 단계 객체 (`train.run`에 넘긴다): 국면 'D'(WGAN-GP)와 'G'(적대적 + α·재구성).

    'D'는 반복마다 거친 척도들에서 새 표본 prev와 새 잡음으로 가짜를 만든다. 'G'는 마지막 'D'의 (z, prev)로 가짜를
    반복마다 새로 계산한다. 공식 코드는 'D'에서 만든 가짜의 계산 그래프를 retain_graph로 붙잡아 'G'의 세 번에 다시
    쓰는데, 첫 갱신이 G의 가중치를 제자리(in-place)에서 바꾸므로 torch 1.5 이후에는 둘째 역전파가 오류를 낸다.
    """

    def __init__(self, pyr: Pyramid, n: int, alpha: float, gp_weight: float):
        self.pyr, self.n, self.s = pyr, n, pyr[n]
        self.alpha, self.gp_weight = alpha, gp_weight
        self.nets = {"G": self.s.G, "D": self.s.D}
        with torch.no_grad():
            self.prev_rec = pyr.prev(n, "rec")  # (1, C, h, w) 고정: 재구성 경로의 입력

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        s = self.s
        if phase == "D":
            s.D.requires_grad_(True)
            with torch.no_grad():
                self.prev = self.pyr.prev(self.n, "rand")  # (1, C, h, w)
                self.z = noise(1, s.size, self.n == 0, device=s.real.device)
                fake = s.G(s.amp * self.z, self.prev)
            self.d_real, self.d_fake = s.D(s.real).mean(), s.D(fake).mean()
            self.gp = gradient_penalty_pixel(s.D, s.real, fake, self.gp_weight)
            self.d_loss = self.d_fake - self.d_real + self.gp
            return self.d_loss
        if phase != "G":
            raise unknown_name("국면(phase)", phase, ["D", "G"])
        s.D.requires_grad_(False)  # G 국면의 역전파가 비평자의 기울기를 쌓지 않게
        fake = s.G(s.amp * self.z, self.prev)  # 반복마다 새 그래프
        self.g_adv = -s.D(fake).mean()
        self.g_rec = F.mse_loss(s.G(s.amp * s.z_rec, self.prev_rec), s.real)
        self.g_loss = self.g_adv + self.alpha * self.g_rec
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "d_real": self.d_real,
            "d_fake": self.d_fake,
            "gp": self.gp,
            "g_adv": self.g_adv,
            "g_rec": self.g_rec,
        }


@dataclass(frozen=True)
class Recipe:
    """SinGAN 학습 설정: 척도마다의 학습(TrainConfig: steps는 척도마다, n_critic은 비평자 반복), 피라미드, 손실."""

    cfg: TrainConfig
    factor: float = 0.75
    min_size: int = 25
    max_size: int = 250
    nfc: int = 32  # 공식: 32에서 시작해 척도 4개마다 두 배, 최대 128
    nfc_max: int = 128
    g_steps: int = 3
    alpha: float = 10.0
    gp_weight: float = 0.1
    amp_init: float = 0.1
    lr_drop: float = 0.8  # 단계 예산의 이 비율에서 학습률 ×0.1 (공식: 2,000 중 1,600)

    def nfc_at(self, n: int) -> int:
        return min(self.nfc * 2 ** (n // 4), self.nfc_max)


def add_scale(pyr: Pyramid, real: torch.Tensor, recipe: Recipe) -> Scale:
    """피라미드에 척도 하나를 더한다: 망을 만들고(채널 수가 같으면 앞 척도의 가중치로 시작), z_rec와 σ를 정한다."""
    n, c = len(pyr), recipe.nfc_at(len(pyr))
    G, D = ScaleGenerator(3, c).to(real.device), PatchCritic(3, c).to(real.device)
    if n > 0 and recipe.nfc_at(n - 1) == c:  # 공식 코드처럼 한 척도 거친 망의 가중치에서 시작
        G.load_state_dict(pyr[n - 1].G.state_dict())
        D.load_state_dict(pyr[n - 1].D.state_dict())
    size = tuple(real.shape[-2:])
    if n == 0:
        z_rec, amp = noise(1, size, True, device=real.device).clone(), 1.0
    else:
        with torch.no_grad():
            up = resize(pyr.generate(1, n, start=n), size)  # up(x̃_rec_{n−1})
        rmse = (real - up).pow(2).mean().sqrt().item()
        z_rec, amp = torch.zeros_like(real), recipe.amp_init * rmse
    scale = Scale(G, D, real, z_rec, amp)
    pyr.scales.append(scale)
    return scale


def fit_scale(
    pyr: Pyramid, n: int, recipe: Recipe, *, desc: str, progress: bool, callbacks=()
) -> History:
    """척도 n 하나를 `train.run`으로 학습하고 그 생성자를 얼린다 (callbacks: 단계마다 TrainState를 받는 함수들)."""
    cfg, s = recipe.cfg, pyr[n]
    opts = [
        torch.optim.Adam(m.parameters(), lr=lr, betas=cfg.betas)
        for m, lr in ((s.D, cfg.lr_d), (s.G, cfg.lr_g))
    ]
    milestone = [max(1, int(recipe.lr_drop * cfg.steps))]
    scheds = [torch.optim.lr_scheduler.MultiStepLR(o, milestone, gamma=0.1) for o in opts]
    phases = [
        Phase("D", opts[0], repeat=cfg.n_critic, takes_batch=False),
        Phase("G", opts[1], repeat=recipe.g_steps, takes_batch=False),
    ]
    step = SinGANStep(pyr, n, recipe.alpha, recipe.gp_weight)
    hist = run(
        step,
        None,
        phases,
        cfg.steps,
        log_every=cfg.log_every,
        callbacks=[lambda st: [sc.step() for sc in scheds], *callbacks],
        device=s.real.device,
        history=History(d_output="score"),
        desc=desc,
        progress=progress,
    )
    for net in (s.G, s.D):  # 학습이 끝난 척도는 얼리고, 남은 기울기도 버린다
        net.zero_grad(set_to_none=True)
        net.requires_grad_(False)
    return hist


def fit(
    image: torch.Tensor,
    recipe: Recipe,
    *,
    progress: bool = True,
    desc: str = "SinGAN",
    callbacks=(),
):
    """사진 한 장 (1, 3, H, W)로 피라미드를 거친 척도부터 학습한다: 척도마다 `fit_scale` (곧 `train.run`) 한 번.

    callbacks는 모든 척도의 `run`에 넘긴다 (척도마다 state.step은 1부터 다시 센다).

    Returns:
        (Pyramid, 척도마다의 History 목록).
    """
    from ..runtime import device, seed_all

    check_shape(image, (1, 3, None, None), "SinGAN 학습 이미지")
    seed_all(recipe.cfg.seed)
    sizes, _ = pyramid_sizes(*image.shape[-2:], recipe.factor, recipe.min_size, recipe.max_size)
    image = image.to(device())
    pyr, hists = Pyramid(), []
    for n, size in enumerate(sizes):
        add_scale(pyr, resize(image, size).clamp(-1, 1), recipe)
        name = f"{desc} 척도 {n + 1}/{len(sizes)} ({size[0]}×{size[1]})"
        hists.append(fit_scale(pyr, n, recipe, desc=name, progress=progress, callbacks=callbacks))
    return pyr, hists


# quick: 2코어 CPU에서 학습 전체가 2분 안팎. 긴 변 48, 짧은 변 16까지, 좁은 망, 척도마다 짧게.
QUICK = Recipe(
    TrainConfig(steps=200, lr_g=5e-4, lr_d=5e-4, betas=(0.5, 0.999), n_critic=3, log_every=20),
    min_size=16,
    max_size=48,
    nfc=16,
    nfc_max=16,
)
# full: 논문·공식 코드의 값 (비율 0.75, 짧은 변 25 … 긴 변 250, 척도마다 2,000단계, 학습률 5e-4, β1 = 0.5)
FULL = Recipe(
    TrainConfig(steps=2000, lr_g=5e-4, lr_d=5e-4, betas=(0.5, 0.999), n_critic=3, log_every=100),
)


def recipe() -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL)."""
    from ..runtime import choose

    return choose(quick=QUICK, full=FULL)


MODELS = {"singan_g": ScaleGenerator, "singan_d": PatchCritic}
