"""gancore.attributes: 합성한 획(skimage.draw)에서 굵기·기울어짐·너비를 알고 있는 값과 비교."""

import math

import numpy as np
import pytest
import torch
from skimage.draw import line, polygon

from gancore import attributes as A
from gancore.errors import GanBookError


def canvas():
    return -np.ones((28, 28))  # 배경 -1, 잉크 +1 ([-1, 1] 범위)


def bar(w, vertical=False):
    img = canvas()
    if vertical:
        img[4:24, 10 : 10 + w] = 1
    else:
        img[10 : 10 + w, 4:24] = 1
    return img


def rotated_stroke(w, angle_deg, length=18):
    """가운데를 지나는 폭 w의 곧은 획(채운 사각형), 세로에서 angle만큼 기운."""
    a = math.radians(angle_deg)
    u = np.array([-math.cos(a), math.sin(a)])  # 위쪽(행 감소) 방향으로 angle만큼 오른쪽
    n = np.array([u[1], -u[0]])
    c = np.array([13.5, 13.5])
    pts = [c + s * u * length / 2 + r * n * w / 2 for s, r in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
    rr, cc = polygon([p[0] for p in pts], [p[1] for p in pts], (28, 28))
    img = canvas()
    img[rr, cc] = 1
    return img


@pytest.mark.parametrize("w", [1, 2, 3, 4, 5, 6])
def test_thickness_of_straight_bars(w):
    for vertical in (False, True):
        assert A.thickness(bar(w, vertical))[0] == pytest.approx(w, abs=0.1)


@pytest.mark.parametrize("ang", [20, 45, 70])
def test_thickness_of_slanted_strokes_tracks_width(ang):
    strokes = [rotated_stroke(w, ang) for w in (1, 3, 5)]
    t = [A.thickness(s)[0] for s in strokes]
    assert t[0] < t[1] < t[2], t  # 폭이 늘면 굵기도 는다
    # 독립적인 잣대: 잉크 넓이 / 획 길이(18). 비스듬한 계단 가장자리 때문에 굵기는 조금 작게 나온다
    for s, ti in zip(strokes[1:], t[1:]):
        w_area = (s > 0).sum() / 18
        assert 0.6 * w_area <= ti <= 1.1 * w_area


@pytest.mark.parametrize("dc", [-8, -4, 0, 5, 9])
def test_slant_of_drawn_line(dc):
    img = canvas()
    r0, r1 = 4, 23
    for off in (-1, 0, 1):  # 3화소 굵기의 선
        rr, cc = line(r0, 14 + dc // 2 + off, r1, 14 - (dc - dc // 2) + off)
        img[rr, cc] = 1
    want = math.degrees(math.atan(dc / (r1 - r0)))  # 위가 오른쪽으로 dc만큼
    assert A.slant(img)[0] == pytest.approx(want, abs=1.5)  # 래스터화(계단) 오차


@pytest.mark.parametrize("k", [-1, 0, 1])
def test_slant_exact_for_integer_shear(k):
    img = canvas()
    for r in range(4, 24):  # 행마다 정확히 k칸씩 밀린 3화소 굵기의 평행사변형
        c = 14 - k * (r - 14)
        img[r, c - 1 : c + 2] = 1
    assert A.slant(img)[0] == pytest.approx(45.0 * k, abs=1e-9)


def test_slant_sign_and_zero():
    assert A.slant(bar(3, vertical=True))[0] == pytest.approx(0.0, abs=1e-9)
    assert A.slant(rotated_stroke(3, 25))[0] > 15
    assert A.slant(rotated_stroke(3, -25))[0] < -15


def test_width_of_rectangles_and_deslant():
    for w in (4, 8, 12):
        img = canvas()
        img[6:22, 8 : 8 + w] = 1
        assert A.width(img)[0] == pytest.approx(math.sqrt(w * w - 1), abs=1e-6)  # 이산 균등분포
    # 기운 막대: 기울어짐을 펴면 너비는 세운 막대와 비슷하다 (펴지 않은 열 분산보다 훨씬 작다)
    tilted = rotated_stroke(4, 30)
    cols = np.nonzero(tilted > 0)[1]
    assert A.width(tilted)[0] < 0.5 * math.sqrt(12 * cols.var())


def test_moments_match_numpy():
    g = np.random.default_rng(0)
    img = g.uniform(-1, 1, (28, 28))
    ink = (img + 1) / 2
    r, c = np.mgrid[:28, :28]
    m = ink.sum()
    rb, cb = (ink * r).sum() / m, (ink * c).sum() / m
    m20, m11, m02 = (
        (ink * (r - rb) ** 2).sum(),
        (ink * (r - rb) * (c - cb)).sum(),
        (ink * (c - cb) ** 2).sum(),
    )
    assert A.slant(img)[0] == pytest.approx(math.degrees(math.atan(-m11 / m20)))
    assert A.width(img)[0] == pytest.approx(math.sqrt(12 * (m02 - m11**2 / m20) / m))


def test_measure_shapes_inputs_and_errors():
    x = torch.from_numpy(np.stack([bar(3), bar(5, True)])).float()[:, None]  # (2, 1, 28, 28)
    m = A.measure(x)
    assert set(m) == {"thickness", "slant", "width"} and all(v.shape == (2,) for v in m.values())
    assert np.allclose(m["thickness"], A.thickness(x.numpy()[:, 0]))
    assert A.thickness(canvas())[0] == 0.0 and A.width(canvas())[0] == 0.0  # 잉크 없음
    with pytest.raises(GanBookError, match="image shape"):
        A.thickness(np.zeros((2, 3, 28, 28)))
    with pytest.raises(GanBookError, match="unknown 속성"):
        A.measure(x, ("color",))
