"""StyleGAN 위젯 (13장): 절단 ψ와 스타일 혼합의 교차점 k를 슬라이더로 움직인다.

- 순수 렌더 함수 `render_style_mix` — 잠재 벡터 z₁(거친 층의 출처)과 z₂(세밀한 층의 출처)를 ψ로 절단하고
  교차점 k에서 섞은 이미지와, 같은 ψ에서 k = 0…num_ws의 한 줄 그림(0..1 배열)을 돌려준다. 화면 없이 테스트한다.
- 얇은 래퍼 `StyleMixer` (ipywidgets: 시드 A·B, ψ, k 슬라이더).

잡음은 끈다(noise='none'): 같은 값이면 언제나 같은 그림이 나오고, 책의 사이트가 브라우저에서 돌리는 ONNX
생성자(`gancore.export`)와 같은 계산이다. 그림은 이 장의 다른 그림처럼 가운데 28×28이다.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import GanBookError, check_shape
from .latent import Frame, _image, _Panel, to_array, to_png


def _check_generator(G) -> None:
    from ..models.stylegan import Generator

    if not isinstance(G, Generator):
        raise GanBookError(
            f"StyleGAN 생성자(generator)가 아닙니다: {type(G).__name__}. "
            "`stylegan.pretrained()`나 `stylegan.Generator`를 넘기세요."
        )


@torch.no_grad()
def mixed_images(G, z1: torch.Tensor, z2: torch.Tensor, psi: float, ks) -> torch.Tensor:
    """z₁, z₂ (d,)를 ψ로 절단해 교차점 ks마다 섞은 이미지 (len(ks), 1, 32, 32): 층 < k는 w₁, 나머지는 w₂."""
    from ..models.stylegan import mix_ws

    was = G.training
    G.eval()
    dev = G.const.device
    w = G.truncate(G.mapping(torch.stack([z1, z2]).to(dev)), psi)  # (2, w_dim)
    ws = torch.cat([mix_ws(w[:1], w[1:], k, G.num_ws) for k in ks])  # (len(ks), num_ws, w_dim)
    out = G.synthesis(ws, noise="none").cpu()
    G.train(was)
    return out


def render_style_mix(G, z1: torch.Tensor, z2: torch.Tensor, psi: float, k: int) -> Frame:
    """z₁·z₂를 절단 ψ와 교차점 k로 섞은 이미지(current)와 k = 0…num_ws의 한 줄(strip).

    Args:
        G: StyleGAN 생성자 (`stylegan.Generator`).
        z1: 거친 층(< k)의 출처 잠재 벡터 (z_dim,).
        z2: 세밀한 층(≥ k)의 출처 잠재 벡터 (z_dim,).
        psi: 절단 ψ, 0…1 (0이면 평균 w, 1이면 절단하지 않음).
        k: 교차점, 0…num_ws (k = num_ws이면 z₁만, 0이면 z₂만).

    values: 'psi', 'k', 'num_ws', 'from_w1' (w₁을 받은 층 번호들).
    """
    from ..models.stylegan import crop28

    _check_generator(G)
    for name, z in (("z1", z1), ("z2", z2)):
        check_shape(z, (G.z_dim,), f"잠재 벡터 {name}")
    if not 0.0 <= psi <= 1.0:
        raise GanBookError(f"절단 ψ(truncation psi)는 0과 1 사이여야 합니다: {psi}")
    L = G.num_ws
    if not (isinstance(k, (int, np.integer)) and 0 <= k <= L):
        raise GanBookError(f"교차점(crossover) k는 0…{L}의 정수여야 합니다: {k!r}")
    x = crop28(mixed_images(G, z1, z2, psi, [*range(L + 1), int(k)]))  # (L + 2, 1, 28, 28)
    return Frame(
        strip=to_array(x[: L + 1], nrow=L + 1),
        current=(x[-1, 0].clamp(-1, 1).numpy() + 1) / 2,
        values={"psi": float(psi), "k": int(k), "num_ws": L, "from_w1": list(range(int(k)))},
    )


class StyleMixer(_Panel):
    """시드 A(거친 층)·B(세밀한 층)의 잠재 벡터를 절단 ψ와 교차점 k 슬라이더로 섞는다."""

    def __init__(self, G, seeds: tuple[int, int] = (0, 1), psi: float = 0.7, k: int = 4):
        import ipywidgets as w

        from ..latent import random_latents

        _check_generator(G)
        self.G, self.random_latents = G, random_latents
        self.seed_a = w.IntSlider(value=seeds[0], min=0, max=99, description="시드 A")
        self.seed_b = w.IntSlider(value=seeds[1], min=0, max=99, description="시드 B")
        self.psi = w.FloatSlider(value=psi, min=0, max=1, step=0.05, description="절단 ψ")
        self.k = w.IntSlider(value=k, min=0, max=G.num_ws, description="교차점 k")
        self.cur, self.strip = _image(np.zeros((28, 28)), 6), _image(np.zeros((28, 28)))
        self.info = w.HTML()
        for c in (self.seed_a, self.seed_b, self.psi, self.k):
            c.observe(lambda _: self.update(), names="value")
        self.box = w.VBox(
            [
                w.HBox([self.seed_a, self.seed_b]),
                w.HBox([self.psi, self.k]),
                w.HBox([self.cur, self.info]),
                self.strip,
            ]
        )
        self.last: Frame | None = None
        self.update()

    def _z(self, seed: int) -> torch.Tensor:
        """시드 s의 z (d,): 브라우저 블록의 JSON과 같은 `random_latents(1, d, seed=s)[0]`."""
        return self.random_latents(1, self.G.z_dim, seed=seed)[0]

    def update(self) -> Frame:
        f = render_style_mix(
            self.G,
            self._z(self.seed_a.value),
            self._z(self.seed_b.value),
            self.psi.value,
            self.k.value,
        )
        self.cur.value = to_png(f.current, 6)
        self.strip.value = to_png(f.strip, 3)
        k, L = f.values["k"], f.values["num_ws"]
        self.info.value = (
            f"ψ = {f.values['psi']:.2f}, k = {k}: 층 0…{k - 1}은 시드 A, 층 {k}…{L - 1}은 시드 B"
            if 0 < k < L
            else f"ψ = {f.values['psi']:.2f}, k = {k}: 모든 층이 시드 {'A' if k == L else 'B'}"
        ) + f"<br>아래 줄: 같은 ψ에서 k = 0 (시드 B만) … {L} (시드 A만)"
        self.last = f
        return f
