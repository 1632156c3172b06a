"""영역 고르기 위젯 (11장 StarGAN): 원본 하나를 고른 목표 영역으로 옮기고, 되돌린 것과 영역 분류기의 판정을 본다.

- 순수 렌더 함수 `render_translation` — 원본·옮긴 것·되돌린 것을 한 줄 그림(0..1 배열)으로, 분류기의 확률과
  재구성 오차를 값으로 돌려준다. 화면 없이 테스트한다.
- 얇은 래퍼 `DomainPicker` (ipywidgets: 원본 번호 슬라이더, 목표 영역 드롭다운).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import GanBookError, check_shape
from .latent import Frame, _image, _Panel, to_array, to_png


@torch.no_grad()
def render_translation(
    G: nn.Module, x: torch.Tensor, source: int, target: int, clf: nn.Module, names: list[str]
) -> Frame:
    """x (1, 1, H, W)를 영역 target으로 옮기고 다시 source로 되돌린다: 그림 [원본 | 옮긴 것 | 되돌린 것]과 잰 값.

    values: 'probs' (k,) 옮긴 것에 대한 영역 분류기의 확률, 'pred' 가장 높은 영역, 'rec_l1' 되돌린 것과 원본의
    화소 평균 절대 오차.
    """
    from ..models.stargan import translate

    check_shape(x, (1, 1, None, None), "x")
    k = len(names)
    for name, c in (("source", source), ("target", target)):
        if not 0 <= c < k:
            raise GanBookError(
                f"{name} 영역 번호(domain index)는 0 이상 {k} 미만이어야 합니다: {c}"
            )
    out = translate(G, x, target)  # (1, 1, H, W)
    back = translate(G, out, source)  # (1, 1, H, W)
    was = clf.training
    clf.eval()
    probs = torch.softmax(clf(out), dim=1)[0]  # (k,)
    clf.train(was)
    values = {
        "probs": probs.tolist(),
        "pred": int(probs.argmax()),
        "rec_l1": (back - x).abs().mean().item(),
    }
    return Frame(to_array(torch.cat([x, out, back]), nrow=3), None, values)


class DomainPicker(_Panel):
    """held-out 원본을 슬라이더로, 목표 영역을 드롭다운으로 고른다."""

    def __init__(
        self, G: nn.Module, x: torch.Tensor, y: torch.Tensor, clf: nn.Module, names: list[str]
    ):
        import ipywidgets as w

        if len(x) != len(y) or len(x) == 0:
            raise GanBookError(
                f"원본 x와 영역 y의 개수가 맞지 않거나 비었습니다: {len(x)}, {len(y)}"
            )
        self.G, self.x, self.y, self.clf, self.names = G, x, y, clf, names
        self.index = w.IntSlider(value=0, min=0, max=len(x) - 1, description="원본 번호")
        self.target = w.Dropdown(
            options=[(n, i) for i, n in enumerate(names)], value=0, description="목표 영역"
        )
        self.img = _image(np.zeros((28, 28)), 4)
        self.info = w.HTML()
        for c in (self.index, self.target):
            c.observe(lambda _: self.update(), names="value")
        self.box = w.VBox([w.HBox([self.index, self.target]), self.img, self.info])
        self.last: Frame | None = None
        self.update()

    def update(self) -> Frame:
        i, src = self.index.value, int(self.y[self.index.value])
        f = render_translation(
            self.G, self.x[i : i + 1], src, self.target.value, self.clf, self.names
        )
        self.img.value = to_png(f.strip, 4)
        p = f.values["probs"]
        self.info.value = (
            f"원본 ({self.names[src]}) → {self.names[self.target.value]} → 되돌림<br>"
            f"영역 분류기가 본 옮긴 것: {self.names[f.values['pred']]} "
            f"(확률 {p[f.values['pred']]:.2f}), 되돌린 것의 L1 오차 {f.values['rec_l1']:.3f}"
        )
        self.last = f
        return f
