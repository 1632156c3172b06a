"""CycleGAN (Zhu 외 2017)과 DiscoGAN (Kim 외 2017): 짝 없는 두 영역 사이의 변환.

공식 CycleGAN 코드(junyanz/pytorch-CycleGAN-and-pix2pix)의 `ResnetGenerator`, LSGAN 손실, 50장 이력 버퍼
(`ImagePool`), 순환 손실 λ=10과 동일성 손실 0.5·λ를 옮겼다. 판별자는 Pix2Pix 장의 PatchGAN을 그대로 쓴다.

    G = build("resnet_gen", ngf=8, n_blocks=2)     # X → Y, (B, 1, 28, 28) → (B, 1, 28, 28)
    step = CycleGANStep(G, F, D_X, D_Y)            # 국면 'G'(두 생성자)와 'D'(두 판별자)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as Fn
from torch import nn

from ..errors import GanBookError, check_shape, unknown_name
from ..train import Phase, TrainConfig, adam, run
from .pix2pix import PatchGAN, translate

NORMS = {"instance": nn.InstanceNorm2d, "batch": nn.BatchNorm2d}


def _norm(kind: str, c: int) -> nn.Module:
    if kind not in NORMS:
        raise unknown_name("정규화(normalization)", kind, NORMS)
    return NORMS[kind](c)


class ResBlock(nn.Module):
    """잔차 블록: x + [반사 패딩 → 3×3 합성곱 → 정규화 → ReLU → 반사 패딩 → 3×3 합성곱 → 정규화](x)."""

    def __init__(self, c: int, norm: str = "instance"):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(norm, c), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(norm, c),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)  # (B, c, h, w)


def _up(c_in: int, c_out: int, up: str) -> nn.Module:
    if (
        up == "deconv"
    ):  # 공식 코드: 3×3 전치 합성곱, 보폭 2 (창이 보폭으로 나누어지지 않아 겹침이 고르지 않다)
        return nn.ConvTranspose2d(c_in, c_out, 3, 2, 1, output_padding=1)
    if up == "resize":  # 최근접 확대 뒤 합성곱 (Odena 외 2016의 처방)
        return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, 1, 1))
    raise unknown_name("확대 방식(upsampling)", up, ["deconv", "resize"])


class ResnetGenerator(nn.Module):
    """CycleGAN의 ResNet 생성자: 7×7 합성곱 → 보폭 2로 두 번 축소 → 잔차 블록 n_blocks개 → 두 번 확대 → tanh.

    Args:
        in_ch, out_ch: 입력·출력 채널 수.
        ngf: 첫 층의 채널 수 (축소할 때마다 두 배).
        n_blocks: 가운데 잔차 블록의 수 (공식: 128px에 6, 256px에 9).
        norm: 'instance'(공식 CycleGAN) 또는 'batch'(DiscoGAN).
        up: 'deconv'(전치 합성곱, 공식) 또는 'resize'(확대 + 합성곱).
    """

    def __init__(
        self,
        in_ch: int = 1,
        out_ch: int = 1,
        ngf: int = 16,
        n_blocks: int = 3,
        norm: str = "instance",
        up: str = "deconv",
    ):
        super().__init__()
        if n_blocks < 0:
            raise GanBookError(f"잔차 블록 수(n_blocks)는 0 이상이어야 합니다: {n_blocks}")
        self.in_ch = in_ch
        c = ngf
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_ch, c, 7), _norm(norm, c), nn.ReLU()]
        for _ in range(2):  # 28 → 14 → 7
            layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), _norm(norm, 2 * c), nn.ReLU()]
            c *= 2
        layers += [ResBlock(c, norm) for _ in range(n_blocks)]
        for _ in range(2):  # 7 → 14 → 28
            layers += [_up(c, c // 2, up), _norm(norm, c // 2), nn.ReLU()]
            c //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(c, out_ch, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, (None, self.in_ch, None, None), "ResNet 생성자 입력 x")
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise GanBookError(
                f"ResNet 생성자의 입력 크기는 4의 배수여야 합니다(image size): {tuple(x.shape)}"
            )
        return self.net(x)  # (B, out_ch, H, W), [-1, 1]


class ImagePool:
    """이력 버퍼(history buffer, Shrivastava 외 2017): 판별자가 지난 가짜 이미지도 보게 한다.

    버퍼가 차기 전에는 새 이미지를 담고 그대로 돌려준다. 찬 뒤에는 이미지마다 확률 ½로 버퍼의 무작위 한 장을
    돌려주고 그 자리를 새 이미지로 바꾸며, 나머지 ½은 새 이미지를 그대로 돌려준다 (공식 `ImagePool`).

    Args:
        size: 버퍼 크기 (0이면 버퍼 없이 그대로 돌려준다).
        seed: 뽑기의 시드.
    """

    def __init__(self, size: int = 50, seed: int = 0):
        self.size, self.images = size, []
        self.gen = torch.Generator().manual_seed(seed)

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """가짜 배치 (B, C, H, W) → 판별자에게 보일 배치 (B, C, H, W) (기울기는 끊는다)."""
        images = images.detach()
        if self.size == 0:
            return images
        out = []
        for im in images:
            if len(self.images) < self.size:
                self.images.append(im.clone())
                out.append(im)
            elif torch.rand((), generator=self.gen) < 0.5:
                i = int(torch.randint(self.size, (), generator=self.gen))
                out.append(self.images[i])
                self.images[i] = im.clone()
            else:
                out.append(im)
        return torch.stack(out)


def _mse(out: torch.Tensor, target: float) -> torch.Tensor:
    return Fn.mse_loss(out, torch.full_like(out, target))  # LSGAN: (D(·) − 목표)²의 평균


class CycleGANStep:
    """CycleGAN의 단계 객체: 국면 'G'(G: X→Y와 F: Y→X를 함께)와 'D'(D_X, D_Y를 함께), 공식 코드의 순서.

    G 국면 = LSGAN (D_Y(G(x)) − 1)² + (D_X(F(y)) − 1)² + λ·(‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁)
    + λ_id·λ·(‖G(y) − y‖₁ + ‖F(x) − x‖₁). D 국면 = 판별자마다 ½·[(D(진짜) − 1)² + D(버퍼의 가짜)²].
    lam_cyc=0이면 순환 항을, lam_id=0이면 동일성 항을 계산하지 않는다.
    """

    def __init__(self, G, F, D_X, D_Y, lam_cyc=10.0, lam_id=0.5, pool_size=50, seed=0):
        self.G, self.F, self.D_X, self.D_Y = G, F, D_X, D_Y
        self.lam, self.lam_id = lam_cyc, lam_id
        self.pool_x, self.pool_y = ImagePool(pool_size, seed), ImagePool(pool_size, seed + 1)
        self.nets = {"G": G, "F": F, "D_X": D_X, "D_Y": D_Y}
        self.zero = torch.zeros(())

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if phase == "G":
            self.x, self.y = batch  # (B, 1, H, W) 두 영역, 짝이 없다
            self.fake_y, self.fake_x = self.G(self.x), self.F(self.y)
            for D in (self.D_X, self.D_Y):
                D.requires_grad_(False)
            self.g_gan = _mse(self.D_Y(self.fake_y), 1.0) + _mse(self.D_X(self.fake_x), 1.0)
            self.g_cyc = self.zero
            if self.lam > 0:  # x → G → F → x, y → F → G → y
                rec_x, rec_y = self.F(self.fake_y), self.G(self.fake_x)
                self.g_cyc = Fn.l1_loss(rec_x, self.x) + Fn.l1_loss(rec_y, self.y)
            self.g_idt = self.zero
            if self.lam_id > 0:  # 이미 목표 영역인 이미지는 그대로 두라
                self.g_idt = Fn.l1_loss(self.G(self.y), self.y) + Fn.l1_loss(self.F(self.x), self.x)
            self.g_loss = self.g_gan + self.lam * self.g_cyc + self.lam_id * self.lam * self.g_idt
            return self.g_loss
        if phase != "D":
            raise unknown_name("국면(phase)", phase, ["G", "D"])
        for D in (self.D_X, self.D_Y):
            D.requires_grad_(True)
        self.d_y = 0.5 * (
            _mse(self.D_Y(self.y), 1.0) + _mse(self.D_Y(self.pool_y.query(self.fake_y)), 0.0)
        )
        self.d_x = 0.5 * (
            _mse(self.D_X(self.x), 1.0) + _mse(self.D_X(self.pool_x.query(self.fake_x)), 0.0)
        )
        self.d_loss = self.d_x + self.d_y
        return self.d_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {"g_loss": self.g_loss, "g_gan": self.g_gan, "g_cyc": self.g_cyc,
                "g_idt": self.g_idt, "d_loss": self.d_loss}  # fmt: skip


class DiscoGANStep:
    """DiscoGAN의 단계 객체 (공식 SKTBrain/DiscoGAN의 손실과 일정, 특징 맞추기 항은 뺐다).

    손실: 비포화 BCE GAN 손실과 재구성 손실 ‖F(G(x)) − x‖² (제곱 오차), 동일성 손실과 이력 버퍼는 없다.
    생성자 손실 = (1 − r)·GAN + r·재구성, r은 처음 curriculum번 동안 start_rate, 그 뒤 rate.
    일정: 반복 interval번마다 한 번은 판별자만, 나머지는 생성자만 갱신한다 (쉬는 쪽은 기울기가 없어 Adam이 건너뛴다).
    """

    def __init__(self, G, F, D_X, D_Y, curriculum=100, start_rate=0.01, rate=0.5, interval=3):
        from .. import losses as L

        self.G, self.F, self.D_X, self.D_Y = G, F, D_X, D_Y
        self.curriculum, self.start_rate, self.rate, self.interval = (
            curriculum,
            start_rate,
            rate,
            interval,
        )
        self.pair = L.get("ns")
        self.nets = {"G": G, "F": F, "D_X": D_X, "D_Y": D_Y}
        self.it = -1
        self.d_loss = self.g_loss = self.g_gan = self.g_rec = torch.zeros(())

    def d_turn(self) -> bool:
        """이번 반복이 판별자의 차례인가 (반복 번호가 interval의 배수)."""
        return self.it % self.interval == 0

    def _skip(self) -> torch.Tensor:
        return torch.zeros((), requires_grad=True)  # 어느 파라미터에도 닿지 않는 손실: 갱신 없음

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if phase == "G":
            self.it += 1
            self.x, self.y = batch  # (B, 1, H, W)
            self.fake_y, self.fake_x = self.G(self.x), self.F(self.y)
            if self.d_turn():
                return self._skip()
            r = self.start_rate if self.it < self.curriculum else self.rate
            for D in (self.D_X, self.D_Y):
                D.requires_grad_(False)
            self.g_gan = self.pair.g_loss(self.D_Y(self.fake_y)) + self.pair.g_loss(
                self.D_X(self.fake_x)
            )
            rec_x, rec_y = self.F(self.fake_y), self.G(self.fake_x)
            self.g_rec = Fn.mse_loss(rec_x, self.x) + Fn.mse_loss(rec_y, self.y)
            self.g_loss = (1 - r) * self.g_gan + r * self.g_rec
            return self.g_loss
        if phase != "D":
            raise unknown_name("국면(phase)", phase, ["G", "D"])
        if not self.d_turn():
            return self._skip()
        for D in (self.D_X, self.D_Y):
            D.requires_grad_(True)
        fy, fx = self.fake_y.detach(), self.fake_x.detach()
        self.d_loss = self.pair.d_loss(self.D_Y(self.y), self.D_Y(fy)) + self.pair.d_loss(
            self.D_X(self.x), self.D_X(fx)
        )
        return self.d_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {
            "g_loss": self.g_loss,
            "g_gan": self.g_gan,
            "g_rec": self.g_rec,
            "d_loss": self.d_loss,
        }


@dataclass(frozen=True)
class Recipe:
    """CycleGAN/DiscoGAN 한 번의 학습 설정: 학습(TrainConfig), 손실 가중치, 모델 크기, 방식(kind)."""

    cfg: TrainConfig
    kind: str = "cyclegan"  # 'cyclegan' | 'discogan'
    lam_cyc: float = 10.0
    lam_id: float = 0.5
    pool_size: int = 50
    ngf: int = 8
    ndf: int = 8
    n_blocks: int = 2
    n_layers: int = 2
    norm: str = "instance"
    up: str = "deconv"
    curriculum: int = 100  # DiscoGAN: 재구성 가중치를 작게 두는 처음 반복 수

    def build(self):
        """레시피대로 (G, F, D_X, D_Y)를 만든다 (시드 cfg.seed)."""
        if self.kind not in ("cyclegan", "discogan"):
            raise unknown_name("방식(kind)", self.kind, ["cyclegan", "discogan"])
        torch.manual_seed(self.cfg.seed)
        gens = [
            ResnetGenerator(1, 1, self.ngf, self.n_blocks, self.norm, self.up) for _ in range(2)
        ]
        discs = [PatchGAN(1, self.ndf, self.n_layers) for _ in range(2)]
        return (*gens, *discs)


def fit(
    G,
    F,
    D_X,
    D_Y,
    data,
    recipe: Recipe,
    *,
    lam_cyc=None,
    callbacks=(),
    desc="CycleGAN 학습",
    progress=True,
):
    """CycleGAN(또는 DiscoGAN)을 책의 학습 루프 `train.run`으로 학습한다: 국면 'G'(두 생성자), 'D'(두 판별자).

    Args:
        data: (x, y) 짝 없는 배치를 내는 로더 (`data.load_unpaired`).
        recipe: 학습 설정 (lam_cyc로 순환 가중치만 바꿀 수 있다; 0이면 동일성 손실도 끈다: "GAN만").
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg = recipe.cfg
    dev = default_device()
    seed_all(cfg.seed)
    gens, discs = nn.ModuleDict({"G": G, "F": F}), nn.ModuleDict({"D_X": D_X, "D_Y": D_Y})
    gens.to(dev), discs.to(dev)
    if recipe.kind == "discogan":
        step = DiscoGANStep(G, F, D_X, D_Y, recipe.curriculum)
    else:
        lam = recipe.lam_cyc if lam_cyc is None else lam_cyc
        lam_id = recipe.lam_id if lam > 0 else 0.0
        step = CycleGANStep(G, F, D_X, D_Y, lam, lam_id, recipe.pool_size, cfg.seed)
    phases = [
        Phase("G", adam(gens, cfg.lr_g, cfg)),
        Phase("D", adam(discs, cfg.lr_d, cfg), takes_batch=False),
    ]
    hist = run(step, data, phases, cfg.steps, log_every=cfg.log_every, callbacks=callbacks, device=dev,
               desc=desc, progress=progress)  # fmt: skip
    return hist


@torch.no_grad()
def cycle_error(G: nn.Module, F: nn.Module, x: torch.Tensor) -> float:
    """순환 오차: 화소 평균 |F(G(x)) − x| (평가 모드)."""
    return (translate(F, translate(G, x)) - x).abs().mean().item()


def domain_classifier() -> nn.Module:
    """영역 분류기(domain classifier): (B, 1, 28, 28) → 두 영역의 로짓 (B, 2)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(8, 16, 3, 2, 1), nn.LeakyReLU(0.2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 2),
    )  # fmt: skip


@torch.no_grad()
def domain_rate(clf: nn.Module, x: torch.Tensor, domain: int) -> float:
    """영역 분류기가 x를 영역 domain(0: X, 1: Y)으로 본 비율."""
    clf.eval()
    return (clf(x).argmax(1) == domain).float().mean().item()


# quick: 1스레드 CPU에서 1분 안팎. 좁은 생성자(ngf=8, 잔차 블록 2), 배치 8.
QUICK = Recipe(
    TrainConfig(steps=600, batch_size=8, lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999), log_every=20)
)
# full: 공식 코드의 값 (ngf=ndf=64, 128px용 잔차 블록 6, 배치 1, Adam 2e-4, β1=0.5, 200에폭 ≈ 2,000장×200)
FULL = Recipe(TrainConfig(steps=400_000, batch_size=1, lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999), log_every=500),
              ngf=64, ndf=64, n_blocks=6, n_layers=3)  # fmt: skip
DISCO_QUICK = Recipe(QUICK.cfg, kind="discogan", norm="batch", curriculum=100)
# DiscoGAN 공식: 배치 200, 학습률 2e-4, 처음 10,000번은 재구성 가중치 0.01
DISCO_FULL = Recipe(TrainConfig(steps=100_000, batch_size=200, lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999),
                                log_every=500), kind="discogan", norm="batch", ngf=64, ndf=64,
                    n_blocks=6, n_layers=3, curriculum=10_000)  # fmt: skip


def recipe(kind: str = "cyclegan") -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL; kind='discogan'이면 DiscoGAN의 것)."""
    from ..runtime import choose

    if kind == "discogan":
        return choose(quick=DISCO_QUICK, full=DISCO_FULL)
    if kind != "cyclegan":
        raise unknown_name("방식(kind)", kind, ["cyclegan", "discogan"])
    return choose(quick=QUICK, full=FULL)


MODELS = {"resnet_gen": ResnetGenerator}
