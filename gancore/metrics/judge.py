"""MNIST 심판 분류기(judge): 생성된 숫자를 알아보고, 그 특징 공간에서 FID를 잰다.

mnist5k의 train 분할(4000장)로 학습하고, 따로 떼어 둔 test 1000장으로 정확도를 잰다.
처음 학습한 가중치는 캐시(`GANBOOK_CACHE`, 기본 ~/.cache/gancore)에 저장해 두고 다시 쓴다.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import GanBookError, check_shape
from ..train import fit_net

VERSION = 2  # 구조나 학습법을 바꾸면 올린다 → 옛 캐시를 쓰지 않는다
FEATURE_DIM = 64
# 특징의 평균 분산을 FEATURE_STD² = 16으로 맞춘다. FID의 절대 크기는 특징의 척도에 달렸으므로
# 한 값으로 고정해 두면: 진짜 5k의 두 절반끼리 ≈ 2–3, 균일 잡음 > 1000 (tests/test_metrics.py가 확인).
FEATURE_STD = 4.0


class Judge(nn.Module):
    """작은 CNN: (B, 1, 28, 28) → 로짓 (B, 10). `features`는 끝에서 두 번째 층의 ReLU 앞 값 (B, 64)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28→14
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14→7
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, FEATURE_DIM),  # 특징: ReLU 앞(가우시안에 가깝다)
        )
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.3), nn.Linear(FEATURE_DIM, 10))
        self.register_buffer("scale", torch.ones(()))  # 학습 뒤 calibrate()가 정한다

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """FID용 특징 (B, 64): 척도를 맞춘 ReLU 앞 값."""
        check_shape(x, [None, 1, 28, 28], "심판 분류기 입력(MNIST 28×28 이미지)")
        return self.body(x) * self.scale  # (B, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))  # (B, 10)

    def outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(특징 (B, 64), 로짓 (B, 10)): `features`와 `forward`를 몸통 한 번으로."""
        check_shape(x, [None, 1, 28, 28], "심판 분류기 입력(MNIST 28×28 이미지)")
        h = self.body(x)  # (B, 64)
        return h * self.scale, self.head(h)

    @torch.no_grad()
    def calibrate(self, x: torch.Tensor) -> None:
        """진짜 이미지 x에서 특징의 평균 분산이 FEATURE_STD²가 되도록 scale을 정한다."""
        f = torch.cat([self.body(x[i : i + 1000]) for i in range(0, len(x), 1000)])
        self.scale.fill_(FEATURE_STD / f.var(0).mean().sqrt())


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """±2픽셀 이동과 ±10° 회전: 4000장으로도 일반화하도록."""
    b = len(x)
    ang = (torch.rand(b, generator=gen) - 0.5) * (20 * torch.pi / 180)
    shift = (torch.rand(b, 2, generator=gen) - 0.5) * (4 / 14)  # 정규화 좌표에서 ±2px
    cos, sin = ang.cos(), ang.sin()
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1  # 바깥은 배경(-1)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    pred = torch.cat([model(x[i : i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return (pred == y).float().mean().item()


def train_judge(epochs: int = 12, seed: int = 0, progress: bool = True) -> tuple[Judge, float]:
    """심판 분류기를 처음부터 학습한다. 돌려주는 값: (모델, test 정확도)."""
    from ..data import load

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    tr, te = load("mnist5k", split="train"), load("mnist5k", split="test")
    model = Judge()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    n_batches = len(tr.x) // 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * n_batches)

    def batches():  # 에폭마다 새로 섞고, 배치마다 새로 흔든다(이동·회전)
        for _ in range(epochs):
            perm = torch.randperm(len(tr.x), generator=gen)
            for i in range(n_batches):
                idx = perm[i * 128 : (i + 1) * 128]
                yield _augment(tr.x[idx], gen), tr.y[idx]

    fit_net(
        model,
        lambda net, batch: F.cross_entropy(net(batch[0]), batch[1]),
        epochs * n_batches,
        data=batches(),
        opt=opt,
        after=sched.step,
        log_every=n_batches,
        desc="심판 분류기 학습",
        progress=progress,
    )
    model.eval()
    model.calibrate(tr.x)
    return model, accuracy(model, te.x, te.y)


def cache_dir() -> Path:
    return Path(os.environ.get("GANBOOK_CACHE", Path.home() / ".cache" / "gancore"))


_LOADED: dict[str, Judge] = {}


def get_judge(retrain: bool = False, progress: bool = True) -> Judge:
    """캐시된 심판 분류기를 읽는다. 없으면 한 번 학습해(약 30–60초) 저장한다."""
    path = cache_dir() / f"mnist_judge_v{VERSION}.pt"
    if not retrain and str(path) in _LOADED:
        return _LOADED[str(path)]
    model = Judge()
    if path.exists() and not retrain:
        try:
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as e:
            raise GanBookError(
                f"심판 분류기 캐시(cache) {path}를 읽지 못했습니다: {e}. 파일을 지우고 다시 실행하세요."
            ) from None
    else:
        model, _ = train_judge(progress=progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            torch.save(
                model.state_dict(), f.name
            )  # 병렬 테스트에서도 안전하게: 쓰고 나서 이름 바꾸기
        os.replace(f.name, path)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    _LOADED[str(path)] = model
    return model


def judge_outputs(x: torch.Tensor, judge: Judge | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """이미지 (N, 1, 28, 28) → (특징 (N, 64), 클래스 확률 (N, 10))."""
    judge = judge or get_judge()  # 처음이면 여기서 학습한다 (no_grad 밖에서)
    x = x.detach().float().cpu().clamp(-1, 1)
    feats, probs = [], []
    with torch.no_grad():
        # 작은 묶음이 CPU 캐시에 맞아 더 빠르다 (값은 묶음 크기와 무관)
        for i in range(0, len(x), 128):
            f, logits = judge.outputs(x[i : i + 128])
            feats.append(f)
            probs.append(logits.softmax(1))
    return torch.cat(feats), torch.cat(probs)
