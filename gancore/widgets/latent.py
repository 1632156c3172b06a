"""잠재 공간 위젯: 보간(lerp/slerp)과 벡터 산술(속성 벡터, A − B + C).

- 순수 렌더 함수: `render_interpolation`, `render_attribute`, `render_arithmetic` — 값을 받아
  이미지 배열(0..1, (H, W))과 잰 값을 돌려준다. 화면 없이 테스트하고, 정적 그림·애니메이션에도 쓴다.
- 얇은 래퍼: `LatentInterpolation`, `AttributeArithmetic`, `VectorArithmetic` (ipywidgets 상자).
  컨트롤이 바뀌면 `update()`가 렌더 함수를 부르고 결과를 `last`에 남긴다.

그림은 matplotlib 대신 PNG 바이트를 바로 만들어 슬라이더가 CPU에서도 빠르게(< 0.2초) 반응한다.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import attributes as A
from .. import latent as L
from ..errors import GanBookError
from ..plot import image_grid


@torch.no_grad()
def decode(G: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """잠재 벡터 z (N, d) → 이미지 (N, 1, 28, 28), 평가 모드에서 (CPU 텐서)."""
    was = G.training
    G.eval()
    dev = next(G.parameters()).device
    x = G(z.to(dev)).cpu()
    G.train(was)
    return x


def to_array(x: torch.Tensor, nrow: int) -> np.ndarray:
    """[-1, 1] 이미지 (N, 1, H, W) → 격자 그림 (H', W') 0..1 배열."""
    return image_grid(x, nrow=nrow)[..., 0]


def to_png(img: np.ndarray, scale: int = 3) -> bytes:
    """0..1 회색조 배열 → PNG 바이트 (최근접 확대로 화소가 또렷하게)."""
    from PIL import Image

    big = np.kron(np.clip(img, 0, 1), np.ones((scale, scale)))
    buf = io.BytesIO()
    Image.fromarray((big * 255).astype(np.uint8), mode="L").save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Frame:
    """렌더 결과: 격자 그림(strip), 현재 이미지(current, 있으면), 잰 값들(values)."""

    strip: np.ndarray
    current: np.ndarray | None
    values: dict


def render_interpolation(
    G: nn.Module, z0: torch.Tensor, z1: torch.Tensor, t: float, n: int = 9, method: str = "slerp"
) -> Frame:
    """z0→z1 보간 띠(n장)와 t 위치의 이미지. values: 경로 위 노름들과 현재 점의 노름."""
    if not 0.0 <= t <= 1.0:
        raise GanBookError(f"보간 위치 t는 0과 1 사이여야 합니다: {t}")
    path = L.interpolate(z0, z1, n, method)  # (n, d)
    fn = L.slerp if method == "slerp" else L.lerp
    zt = fn(z0, z1, t)  # (d,)
    x = decode(G, torch.cat([path, zt[None]]))  # (n + 1, 1, 28, 28)
    return Frame(
        strip=to_array(x[:n], nrow=n),
        current=(x[n, 0].numpy() + 1) / 2,
        values={"norms": path.norm(dim=1).tolist(), "norm_t": zt.norm().item()},
    )


def render_attribute(
    G: nn.Module, z: torch.Tensor, v: torch.Tensor, alpha: float, name: str = "thickness"
) -> Frame:
    """z (N, d)에 α·v를 더해 그린 격자와, 그 숫자들에서 다시 잰 속성 `name`의 평균."""
    x = decode(G, z + alpha * v)  # (N, 1, 28, 28)
    score = A.measure(x, (name,))[name]
    return Frame(strip=to_array(x, nrow=len(z)), current=None, values={"mean": float(score.mean())})


def render_arithmetic(G: nn.Module, za: torch.Tensor, zb: torch.Tensor, zc: torch.Tensor) -> Frame:
    """[A, B, C, A − B + C] 네 장을 한 줄로. values: 결과 벡터의 노름."""
    zr = L.arithmetic(za, zb, zc)
    x = decode(G, torch.stack([za, zb, zc, zr]))  # (4, 1, 28, 28)
    return Frame(strip=to_array(x, nrow=4), current=None, values={"norm": zr.norm().item()})


# --- 얇은 ipywidgets 래퍼 -----------------------------------------------------------------


def _image(img: np.ndarray, scale: int = 3):
    import ipywidgets as w

    return w.Image(value=to_png(img, scale), format="png")


class _Panel:
    """위젯 묶음의 공통 바탕: 노트북에 놓이면 `self.box`를 그린다."""

    box: object

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)


class LatentInterpolation(_Panel):
    """두 시드(또는 '무작위' 단추)의 잠재 벡터 사이를 t 슬라이더로 보간한다."""

    def __init__(self, G: nn.Module, z_dim: int, seeds: tuple[int, int] = (0, 1), n: int = 9):
        import ipywidgets as w

        self.G, self.z_dim = G, z_dim
        self.seed0 = w.IntText(value=seeds[0], description="시드 A", layout=w.Layout(width="160px"))
        self.seed1 = w.IntText(value=seeds[1], description="시드 B", layout=w.Layout(width="160px"))
        self.rand0 = w.Button(description="무작위 A")
        self.rand1 = w.Button(description="무작위 B")
        self.t = w.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="t")
        self.method = w.ToggleButtons(options=[("slerp", "slerp"), ("lerp", "lerp")])
        self.n = w.IntSlider(value=n, min=3, max=15, description="단계 수")
        self.strip, self.cur = _image(np.zeros((28, 28))), _image(np.zeros((28, 28)), 5)
        self.info = w.HTML()
        self._rng = np.random.default_rng(seeds[0] + 1000)
        self.rand0.on_click(lambda _: self._randomize(self.seed0))
        self.rand1.on_click(lambda _: self._randomize(self.seed1))
        for c in (self.seed0, self.seed1, self.t, self.method, self.n):
            c.observe(lambda _: self.update(), names="value")
        self.box = w.VBox(
            [
                w.HBox([self.seed0, self.rand0, self.seed1, self.rand1]),
                w.HBox([self.t, self.method, self.n]),
                self.strip,
                w.HBox([self.cur, self.info]),
            ]
        )
        self.last: Frame | None = None
        self.update()

    def _randomize(self, box) -> None:
        box.value = int(self._rng.integers(0, 10_000))

    def latents(self) -> tuple[torch.Tensor, torch.Tensor]:
        z0 = L.random_latents(1, self.z_dim, seed=self.seed0.value)[0]
        z1 = L.random_latents(1, self.z_dim, seed=self.seed1.value)[0]
        return z0, z1

    def update(self) -> Frame:
        z0, z1 = self.latents()
        f = render_interpolation(self.G, z0, z1, self.t.value, self.n.value, self.method.value)
        self.strip.value, self.cur.value = to_png(f.strip), to_png(f.current, 5)
        norms = f.values["norms"]
        self.info.value = (
            f"t = {self.t.value:.2f}에서 ‖z‖ = {f.values['norm_t']:.2f}<br>"
            f"경로 위 ‖z‖: 최소 {min(norms):.2f}, 최대 {max(norms):.2f} (√d = {self.z_dim**0.5:.2f})"
        )
        self.last = f
        return f


class AttributeArithmetic(_Panel):
    """속성 벡터 v를 α배 더해 새 숫자들이 어떻게 바뀌는지 본다 (속성은 드롭다운으로)."""

    def __init__(
        self, G: nn.Module, z_dim: int, vectors: dict[str, torch.Tensor], n: int = 8, seed: int = 0
    ):
        import ipywidgets as w

        if not vectors:
            raise GanBookError("속성 벡터(attribute vectors)가 하나도 없습니다.")
        self.G, self.z_dim, self.vectors, self.n_img = G, z_dim, vectors, n
        self.attr = w.Dropdown(
            options=[(A.NAMES.get(k, k), k) for k in vectors], description="속성"
        )
        self.alpha = w.FloatSlider(value=0, min=-3, max=3, step=0.25, description="세기 α")
        self.seed = w.IntText(value=seed, description="시드", layout=w.Layout(width="160px"))
        self.new = w.Button(description="새 숫자")
        self.new.on_click(lambda _: setattr(self.seed, "value", self.seed.value + 1))
        self.img = _image(np.zeros((28, 28)))
        self.info = w.HTML()
        for c in (self.attr, self.alpha, self.seed):
            c.observe(lambda _: self.update(), names="value")
        self.box = w.VBox(
            [w.HBox([self.attr, self.alpha]), w.HBox([self.seed, self.new]), self.img, self.info]
        )
        self.last: Frame | None = None
        self.update()

    def update(self) -> Frame:
        name = self.attr.value
        z = L.random_latents(self.n_img, self.z_dim, seed=self.seed.value)
        f = render_attribute(self.G, z, self.vectors[name], self.alpha.value, name)
        self.img.value = to_png(f.strip)
        self.info.value = (
            f"z + {self.alpha.value:+.2f}·v: 잰 {A.NAMES.get(name, name)}의 평균 = "
            f"{f.values['mean']:.2f} {A.UNITS.get(name, '')}"
        )
        self.last = f
        return f


class VectorArithmetic(_Panel):
    """표본 모음(pool)에서 A, B, C를 골라 A − B + C를 그린다."""

    def __init__(self, G: nn.Module, z_dim: int, pool: int = 20, seed: int = 0):
        import ipywidgets as w

        self.G, self.z = G, L.random_latents(pool, z_dim, seed=seed)
        self.pool_img = _image(to_array(decode(G, self.z), nrow=10), 2)
        opts = list(range(pool))
        self.a = w.Dropdown(options=opts, value=0, description="A", layout=w.Layout(width="140px"))
        self.b = w.Dropdown(options=opts, value=1, description="B", layout=w.Layout(width="140px"))
        self.c = w.Dropdown(options=opts, value=2, description="C", layout=w.Layout(width="140px"))
        self.img = _image(np.zeros((28, 28)), 4)
        for c in (self.a, self.b, self.c):
            c.observe(lambda _: self.update(), names="value")
        note = w.HTML("표본 모음 (왼쪽 위부터 0, 1, 2, …; 한 줄에 10개)")
        self.box = w.VBox([note, self.pool_img, w.HBox([self.a, self.b, self.c]), self.img])
        self.last: Frame | None = None
        self.update()

    def update(self) -> Frame:
        f = render_arithmetic(
            self.G, self.z[self.a.value], self.z[self.b.value], self.z[self.c.value]
        )
        self.img.value = to_png(f.strip, 4)
        self.last = f
        return f
