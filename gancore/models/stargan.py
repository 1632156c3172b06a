"""StarGAN (Choi 외 2018): 영역(domain) 여럿을 생성자 하나로 오가는 변환, 그리고 학습 단계 객체.

공식 코드(yunjey/stargan `model.py`, `solver.py`)의 구조를 28×28 숫자에 맞게 줄였다. 생성자는 이미지와
목표 영역의 원-핫 레이블을 공간으로 펼쳐(tile) 채널 방향으로 이어 받는다. 판별자는 몸통 하나에 머리가 둘이다:
진짜/가짜 점수(WGAN-GP 비평자)와 영역 분류 로짓.

    G = build("stargan_g", n_domains=4, ngf=16, n_res=2)     # G(x, c): (B, 1, 28, 28), (B,) → (B, 1, 28, 28)
    D = build("stargan_d", n_domains=4, ndf=16)              # D(x) → (B, 1, 7, 7) 점수, (B, 4) 영역 로짓

짝 변환(pairwise)과 견주는 데 쓰는 한 방향 생성자는 n_domains=0인 같은 생성자다 (레이블 채널이 없다).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape
from ..train import Phase, TrainConfig, adam, run


def tile_labels(c: torch.Tensor, n_domains: int, size: tuple[int, int]) -> torch.Tensor:
    """영역 번호 (B,) → 원-핫을 공간으로 펼친 (B, n_domains, H, W) (공식 코드의 `c.repeat`)."""
    if c.ndim != 1 or ((c < 0) | (c >= n_domains)).any():
        raise GanBookError(
            f"영역 레이블(domain label)은 0 … {n_domains - 1}의 정수 (B,)여야 합니다: {c.tolist()}"
        )
    onehot = F.one_hot(c, n_domains).float()  # (B, k)
    return onehot[:, :, None, None].expand(-1, -1, *size)  # (B, k, H, W)


class ResidualBlock(nn.Module):
    """잔차 블록: 합성곱 3×3 – 인스턴스 정규화 – ReLU – 합성곱 3×3 – 인스턴스 정규화, 입력을 더한다."""

    def __init__(self, ch: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(ch, ch, 3, 1, 1, bias=False),
            nn.InstanceNorm2d(ch, affine=True),
            nn.ReLU(),
            nn.Conv2d(ch, ch, 3, 1, 1, bias=False),
            nn.InstanceNorm2d(ch, affine=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x)  # (B, C, H, W)


class StarGenerator(nn.Module):
    """StarGAN 생성자 G(x, c): 합성곱 7×7, 보폭 2로 두 번 줄이기, 잔차 블록 n_res개, 두 번 늘리기, 합성곱 7×7.

    Args:
        n_domains: 영역 수 k (입력 채널이 in_ch + k가 된다). 0이면 레이블 없는 한 방향 생성자 G(x).
        in_ch: 이미지 채널 수.
        ngf: 첫 층의 채널 수 (줄일 때마다 두 배).
        n_res: 가운데 잔차 블록의 수 (공식 코드는 6).
        size: 입력 한 변 (4의 배수).
    """

    def __init__(
        self, n_domains: int = 4, in_ch: int = 1, ngf: int = 16, n_res: int = 2, size: int = 28
    ):
        super().__init__()
        if n_domains < 0 or size % 4:
            raise GanBookError(f"n_domains ≥ 0, size는 4의 배수여야 합니다: {n_domains}, {size}")
        self.k, self.in_ch, self.size = n_domains, in_ch, size

        def block(conv: nn.Module, c: int) -> list[nn.Module]:
            return [conv, nn.InstanceNorm2d(c, affine=True), nn.ReLU()]

        c1, c2, c3 = ngf, 2 * ngf, 4 * ngf
        layers = block(nn.Conv2d(in_ch + n_domains, c1, 7, 1, 3, bias=False), c1)  # (B, c1, S, S)
        layers += block(nn.Conv2d(c1, c2, 4, 2, 1, bias=False), c2)  # (B, c2, S/2, S/2)
        layers += block(nn.Conv2d(c2, c3, 4, 2, 1, bias=False), c3)  # (B, c3, S/4, S/4)
        layers += [ResidualBlock(c3) for _ in range(n_res)]  # (B, c3, S/4, S/4)
        layers += block(nn.ConvTranspose2d(c3, c2, 4, 2, 1, bias=False), c2)  # (B, c2, S/2, S/2)
        layers += block(nn.ConvTranspose2d(c2, c1, 4, 2, 1, bias=False), c1)  # (B, c1, S, S)
        layers += [nn.Conv2d(c1, in_ch, 7, 1, 3), nn.Tanh()]  # (B, in_ch, S, S)
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        check_shape(x, (None, self.in_ch, self.size, self.size), "StarGAN 생성자 입력 x")
        if self.k > 0:
            if c is None:
                raise GanBookError("목표 영역 레이블(target domain label) c가 필요합니다: G(x, c)")
            x = torch.cat([x, tile_labels(c, self.k, x.shape[-2:])], dim=1)  # (B, in_ch + k, S, S)
        return self.net(x)  # (B, in_ch, S, S), [-1, 1]


class StarDiscriminator(nn.Module):
    """StarGAN 판별자: 보폭 2 합성곱 몸통(LeakyReLU 0.01, 정규화 없음) 위에 머리 둘.

    src 머리는 합성곱 3×3으로 패치마다 진짜/가짜 점수 (B, 1, h, w), cls 머리는 남은 지도 전체를 덮는
    합성곱으로 영역 로짓 (B, k)을 낸다. n_domains=0이면 src 머리만 있다 (짝 변환의 판별자).

    Args:
        n_domains: 영역 수 k.
        in_ch: 이미지 채널 수.
        ndf: 첫 층의 채널 수 (층마다 두 배).
        n_layers: 보폭 2 합성곱의 수 (공식 코드는 128×128에서 6).
        size: 입력 한 변 (2^n_layers의 배수).
    """

    def __init__(
        self, n_domains: int = 4, in_ch: int = 1, ndf: int = 16, n_layers: int = 2, size: int = 28
    ):
        super().__init__()
        if n_layers < 1 or size % 2**n_layers:
            raise GanBookError(f"size {size}는 2^n_layers = {2**n_layers}의 배수여야 합니다.")
        self.k, self.in_ch, self.size = n_domains, in_ch, size
        layers: list[nn.Module] = []
        c_in = in_ch
        for i in range(n_layers):
            layers += [nn.Conv2d(c_in, ndf * 2**i, 4, 2, 1), nn.LeakyReLU(0.01)]
            c_in = ndf * 2**i
        self.body = nn.Sequential(*layers)  # (B, c, S/2^n, S/2^n)
        self.src = nn.Conv2d(c_in, 1, 3, 1, 1, bias=False)  # (B, 1, h, w)
        h = size // 2**n_layers
        self.cls = (
            nn.Conv2d(c_in, n_domains, h, bias=False) if n_domains > 0 else None
        )  # (B, k, 1, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """D(x) → (진짜/가짜 점수 지도 (B, 1, h, w), 영역 로짓 (B, k) 또는 None)."""
        check_shape(x, (None, self.in_ch, self.size, self.size), "StarGAN 판별자 입력 x")
        h = self.body(x)
        logits = None if self.cls is None else self.cls(h).flatten(1)  # (B, k)
        return self.src(h), logits


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, weight: float = 10.0):
    """src 머리에 거는 WGAN-GP 기울기 벌점 (`losses.gradient_penalty`에 점수 머리만 넘긴다)."""
    from ..losses import gradient_penalty as gp

    return gp(lambda x: D(x)[0], real, fake, weight=weight)


# --- 학습 ---------------------------------------------------------------------------------


class StarGANStep:
    """StarGAN의 단계 객체 (`train.run`에 넘긴다): 국면 'D'(n_critic번, 배치를 받는다)와 'G'(마지막 배치).

    D 손실 = −D_src(x) + D_src(G(x, c)) + λ_gp·GP + λ_cls·CE(D_cls(x), c′),
    G 손실 = −D_src(G(x, c)) + λ_cls·CE(D_cls(G(x, c)), c) + λ_rec·‖x − G(G(x, c), c′)‖₁.
    c′는 x의 원래 영역, c는 배치마다 무작위로 고른 목표 영역이다 (공식 코드처럼 c = c′일 수도 있다).
    lam_id > 0이면 G 손실에 λ_id·‖x − G(x, c′)‖₁을 더한다 (논문에는 없는 항).
    """

    def __init__(
        self,
        G,
        D,
        *,
        lam_cls: float = 1.0,
        lam_rec: float = 10.0,
        lam_gp: float = 10.0,
        lam_id: float = 0.0,
    ):
        self.G, self.D = G, D
        self.lam_cls, self.lam_rec, self.lam_gp, self.lam_id = lam_cls, lam_rec, lam_gp, lam_id
        self.nets = {"G": G, "D": D}

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if batch is not None:  # 'D' 국면마다 새 배치와 새 목표 영역
            self.x, self.c_org = batch  # (B, 1, S, S), (B,)
            self.c_trg = torch.randint(self.G.k, self.c_org.shape, device=self.x.device)  # (B,)
        if phase == "D":
            self.D.requires_grad_(True)
            with torch.no_grad():
                fake = self.G(self.x, self.c_trg)  # (B, 1, S, S)
            real_src, real_cls = self.D(self.x)
            fake_src, _ = self.D(fake)
            self.d_adv = fake_src.mean() - real_src.mean()  # 바서슈타인 비평자 손실
            self.d_gp = gradient_penalty(self.D, self.x, fake, self.lam_gp)
            self.d_cls = F.cross_entropy(real_cls, self.c_org)  # 진짜 이미지로만 배운다
            self.d_loss = self.d_adv + self.d_gp + self.lam_cls * self.d_cls
            self.w_dist = -self.d_adv.detach()
            return self.d_loss
        if phase != "G":
            from ..errors import unknown_name

            raise unknown_name("국면(phase)", phase, ["D", "G"])
        self.D.requires_grad_(False)  # G 국면의 역전파가 D의 기울기를 쌓지 않게
        fake = self.G(self.x, self.c_trg)  # (B, 1, S, S)
        fake_src, fake_cls = self.D(fake)
        rec = self.G(fake, self.c_org)  # 원래 영역으로 되돌린 것
        self.g_adv = -fake_src.mean()
        self.g_cls = F.cross_entropy(fake_cls, self.c_trg)
        self.g_rec = (self.x - rec).abs().mean()
        self.g_loss = self.g_adv + self.lam_cls * self.g_cls + self.lam_rec * self.g_rec
        if (
            self.lam_id > 0
        ):  # 논문에 없는 항: 원래 영역으로 "옮기면" 그대로 (CycleGAN의 동일성 손실)
            self.g_id = (self.G(self.x, self.c_org) - self.x).abs().mean()
            self.g_loss = self.g_loss + self.lam_id * self.g_id
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {
            "d_loss": self.d_loss,
            "g_loss": self.g_loss,
            "w_dist": self.w_dist,
            "d_gp": self.d_gp,
            "d_cls": self.d_cls,
            "g_cls": self.g_cls,
            "g_rec": self.g_rec,
        }


class PairStep:
    """짝 변환의 단계 객체: 영역 a, b 사이의 한 방향 생성자 둘(G_ab, G_ba)과 비평자 둘을 한 번에 학습한다.

    StarGAN의 손실에서 영역 분류 항만 뺀 것이다 (CycleGAN처럼 되돌리기 L1은 그대로). 배치는 (x_a, x_b).
    """

    def __init__(self, G_ab, G_ba, D_a, D_b, *, lam_rec: float = 10.0, lam_gp: float = 10.0):
        self.G_ab, self.G_ba, self.D_a, self.D_b = G_ab, G_ba, D_a, D_b
        self.lam_rec, self.lam_gp = lam_rec, lam_gp
        self.nets = {"G_ab": G_ab, "G_ba": G_ba, "D_a": D_a, "D_b": D_b}

    def _critic(self, D, real, fake) -> torch.Tensor:
        return D(fake)[0].mean() - D(real)[0].mean() + gradient_penalty(D, real, fake, self.lam_gp)

    def loss(self, phase: str, batch, k: int) -> torch.Tensor:
        if batch is not None:
            self.xa, self.xb = batch  # (B, 1, S, S) 둘: 서로 짝이 아니다
        if phase == "D":
            for D in (self.D_a, self.D_b):
                D.requires_grad_(True)
            with torch.no_grad():
                fb, fa = self.G_ab(self.xa), self.G_ba(self.xb)
            self.d_loss = self._critic(self.D_b, self.xb, fb) + self._critic(self.D_a, self.xa, fa)
            return self.d_loss
        for D in (self.D_a, self.D_b):
            D.requires_grad_(False)
        fb, fa = self.G_ab(self.xa), self.G_ba(self.xb)
        adv = -self.D_b(fb)[0].mean() - self.D_a(fa)[0].mean()
        rec = (self.G_ba(fb) - self.xa).abs().mean() + (self.G_ab(fa) - self.xb).abs().mean()
        self.g_loss = adv + self.lam_rec * rec
        return self.g_loss

    def logs(self) -> dict[str, torch.Tensor]:
        return {"d_loss": self.d_loss, "g_loss": self.g_loss}


class _Joint(nn.Module):
    """옵티마이저 하나가 여러 네트워크를 함께 갱신하도록 묶는다."""

    def __init__(self, *nets: nn.Module):
        super().__init__()
        self.nets = nn.ModuleList(nets)


class PairLoader:
    """영역 a와 b의 loader를 나란히 돌려 (x_a, x_b) 배치를 낸다 (짝이 아닌 두 무더기)."""

    def __init__(self, xa: torch.Tensor, xb: torch.Tensor, batch_size: int, seed: int = 0):
        from ..data import make_loader

        self.a = make_loader(xa, batch_size=batch_size, seed=seed)
        self.b = make_loader(xb, batch_size=batch_size, seed=seed + 1)

    def __iter__(self):
        for (xa,), (xb,) in zip(self.a, self.b):
            yield xa, xb


@dataclass(frozen=True)
class Recipe:
    """StarGAN 한 번의 학습 설정: 학습(TrainConfig), 손실 가중치, 모델 크기."""

    cfg: TrainConfig
    lam_cls: float = 1.0
    lam_rec: float = 10.0
    lam_gp: float = 10.0
    lam_id: float = 0.0
    ngf: int = 16
    ndf: int = 16
    n_res: int = 2
    n_layers: int = 2

    def build(self, n_domains: int, size: int = 28):
        """레시피대로 (G, D)를 만든다 (시드 cfg.seed). n_domains=0이면 짝 변환용 한 방향 (G, D)."""
        torch.manual_seed(self.cfg.seed)
        G = StarGenerator(n_domains, 1, self.ngf, self.n_res, size)
        D = StarDiscriminator(n_domains, 1, self.ndf, self.n_layers, size)
        return G, D


def fit(
    G, D, data, recipe: Recipe, *, callbacks=(), desc: str = "StarGAN 학습", progress: bool = True
):
    """StarGAN을 책의 학습 루프(`train.run`)로 학습한다: 국면 'D'(n_critic번)와 'G'.

    Args:
        data: (이미지, 영역 번호) 배치를 내는 DataLoader 또는 DataBundle (`data.load_domains`).
        recipe: 학습 설정과 손실 가중치.
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg, dev = recipe.cfg, default_device()
    seed_all(cfg.seed)
    G.to(dev), D.to(dev)
    phases = [
        Phase("D", adam(D, cfg.lr_d, cfg), repeat=cfg.n_critic),
        Phase("G", adam(G, cfg.lr_g, cfg), takes_batch=False),
    ]
    step = StarGANStep(
        G,
        D,
        lam_cls=recipe.lam_cls,
        lam_rec=recipe.lam_rec,
        lam_gp=recipe.lam_gp,
        lam_id=recipe.lam_id,
    )
    hist = run(
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
    D.requires_grad_(True)  # G 국면이 끈 기울기를 되돌린다
    return hist


def fit_pair(
    xa: torch.Tensor,
    xb: torch.Tensor,
    recipe: Recipe,
    *,
    steps: int | None = None,
    desc: str = "짝 변환 학습",
    progress: bool = True,
):
    """영역 a ↔ b 한 쌍을 한 방향 생성자 둘로 학습한다 (StarGAN과 같은 레시피, 같은 루프).

    Args:
        xa, xb: 두 영역의 학습 이미지 (N, 1, S, S) (짝이 아니어도 된다).
        steps: 단계 수 (None이면 recipe의 값).

    Returns:
        (기록, (G_ab, G_ba)).
    """
    from ..runtime import device as default_device
    from ..runtime import seed_all

    cfg, dev = recipe.cfg, default_device()
    G_ab, D_b = recipe.build(0, xa.shape[-1])
    G_ba, D_a = recipe.build(0, xa.shape[-1])
    seed_all(cfg.seed)
    nets = [m.to(dev) for m in (G_ab, G_ba, D_a, D_b)]
    phases = [
        Phase("D", adam(_Joint(*nets[2:]), cfg.lr_d, cfg), repeat=cfg.n_critic),
        Phase("G", adam(_Joint(*nets[:2]), cfg.lr_g, cfg), takes_batch=False),
    ]
    step = PairStep(G_ab, G_ba, D_a, D_b, lam_rec=recipe.lam_rec, lam_gp=recipe.lam_gp)
    hist = run(
        step,
        PairLoader(xa, xb, cfg.batch_size, cfg.seed),
        phases,
        steps or cfg.steps,
        log_every=cfg.log_every,
        device=dev,
        desc=desc,
        progress=progress,
    )
    D_a.requires_grad_(True), D_b.requires_grad_(True)
    return hist, (G_ab, G_ba)


@torch.no_grad()
def translate(
    G: nn.Module, x: torch.Tensor, c: torch.Tensor | int, batch: int = 500
) -> torch.Tensor:
    """평가 모드의 G로 x를 영역 c(정수 하나 또는 (N,))로 옮긴다 (CPU 텐서)."""
    if isinstance(c, int):
        c = torch.full((len(x),), c, dtype=torch.long)
    was, dev = G.training, next(G.parameters()).device
    G.eval()
    out = [
        G(x[i : i + batch].to(dev), c[i : i + batch].to(dev)).cpu() for i in range(0, len(x), batch)
    ]
    G.train(was)
    return torch.cat(out)


def grid(G: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """원본 n장 각각을 모든 영역으로 옮긴 (n, k, 1, S, S) 텐서."""
    return torch.stack([translate(G, x, c) for c in range(G.k)], dim=1)


# quick: CPU 스레드 하나에서 1분 안팎. 배치 16·n_critic 5·λ_cls·λ_rec·λ_gp는 논문 그대로. 좁은 모델(ngf = ndf = 8,
# 잔차 블록 1), 큰 학습률 5e-4 (논문 1e-4), 700단계, 그리고 논문에 없는 identity 항 λ_id = 10: 이 예산에서 그것
# 없이는 시드에 따라 생성자가 숫자를 지키지 못했다 (재구성은 되지만 옮긴 것은 알아볼 수 없는 얼룩).
QUICK = Recipe(
    TrainConfig(
        steps=700, batch_size=16, lr_g=5e-4, lr_d=5e-4, betas=(0.5, 0.999), n_critic=5, log_every=10
    ),
    lam_id=10.0,
    ngf=8,
    ndf=8,
    n_res=1,
)
# full: 논문·공식 코드의 값 (너비 64, 잔차 블록 6, 배치 16, n_critic 5, Adam 1e-4, β1 = 0.5) + 긴 학습
FULL = Recipe(
    TrainConfig(
        steps=20000,
        batch_size=16,
        lr_g=1e-4,
        lr_d=1e-4,
        betas=(0.5, 0.999),
        n_critic=5,
        log_every=100,
    ),
    ngf=64,
    ndf=64,
    n_res=6,
)


def recipe() -> Recipe:
    """실행 모드에 맞는 레시피 (quick이면 QUICK, full이면 FULL)."""
    from ..runtime import choose

    return choose(quick=QUICK, full=FULL)


MODELS = {"stargan_g": StarGenerator, "stargan_d": StarDiscriminator}


# --- 평가 ---------------------------------------------------------------------------------


def domain_classifier(n_domains: int, ch: int = 16) -> nn.Module:
    """영역 분류기(평가용, 판별자와 따로 학습한다): 보폭 2 합성곱 둘 + 선형 층, 28×28 → (B, k) 로짓."""
    return nn.Sequential(
        nn.Conv2d(1, ch, 4, 2, 1),
        nn.ReLU(),  # (B, ch, 14, 14)
        nn.Conv2d(ch, 2 * ch, 4, 2, 1),
        nn.ReLU(),  # (B, 2ch, 7, 7)
        nn.Flatten(),
        nn.Linear(2 * ch * 49, n_domains),  # (B, k)
    )


def train_domain_classifier(
    train, steps: int = 300, seed: int = 0, batch_size: int = 64, progress: bool = True
):
    """진짜 영역 이미지(train 분할)로 영역 분류기를 `train.fit_net`으로 학습한다. (분류기, 기록)을 돌려준다."""
    from ..data import make_loader
    from ..train import fit_net

    torch.manual_seed(seed)
    clf = domain_classifier(len(train.meta["domains"]))
    loader = make_loader(train.x, train.y, batch_size=batch_size, seed=seed)
    hist = fit_net(
        clf,
        lambda net, b: F.cross_entropy(net(b[0]), b[1]),
        steps,
        data=loader,
        desc="영역 분류기 학습",
        progress=progress,
    )
    return clf.eval(), hist


@torch.no_grad()
def predict(clf: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """분류기의 예측 번호 (N,)."""
    return torch.cat([clf(x[i : i + 1000]).argmax(1) for i in range(0, len(x), 1000)])


def evaluate(G: nn.Module, test, clf: nn.Module) -> dict:
    """held-out 영역 이미지를 모든 목표 영역으로 옮겨 잰다.

    Returns:
        'domain_acc' (k,): 목표 c로 옮긴 것을 영역 분류기가 c로 본 비율, 'digit_acc' (k,): 심판이 원래 숫자로
        본 비율, 'real_digit_acc' (k,): 영역 c의 진짜 test 이미지에서의 같은 비율, 'rec' (k,): 목표 c로 옮겼다
        원래 영역으로 되돌린 것과 원본의 화소 평균 절대 오차, 'matrix' (k, k): 원래 영역 × 목표 영역의 영역 정확도.
    """
    from .. import metrics

    k, digits = G.k, test.meta["digits"]
    dom_acc, dig_acc, real_acc, rec, matrix = [], [], [], [], torch.zeros(k, k)
    for c in range(k):
        out = translate(G, test.x, c)  # (N, 1, S, S)
        hit = (predict(clf, out) == c).float()
        dom_acc.append(hit.mean().item())
        for s in range(k):
            matrix[s, c] = hit[test.y == s].mean()
        dig_acc.append(metrics.label_accuracy(out, digits))
        real_acc.append(metrics.label_accuracy(test.x[test.y == c], digits[test.y == c]))
        back = translate(G, out, test.y)
        rec.append((back - test.x).abs().mean().item())
    t = torch.tensor
    return {
        "domain_acc": t(dom_acc),
        "digit_acc": t(dig_acc),
        "real_digit_acc": t(real_acc),
        "rec": t(rec),
        "matrix": matrix,
    }
