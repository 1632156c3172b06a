"""영역 고르기 위젯(11장): 렌더 함수의 그림·값을 직접 계산과 견주고, 컨트롤을 바꿔 update를 확인한다."""

import numpy as np
import pytest
import torch

from gancore.errors import GanBookError
from gancore.models import stargan
from gancore.widgets import translate as W

NAMES = ["가는 획", "굵은 획", "왼쪽 기울임"]


@pytest.fixture(scope="module")
def parts():
    torch.manual_seed(0)
    G = stargan.StarGenerator(len(NAMES), ngf=4, n_res=1)
    clf = stargan.domain_classifier(len(NAMES), ch=4)
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    y = torch.tensor([0, 1, 2, 0, 1])
    return G, clf, x, y


def test_render_translation_matches_direct_computation(parts):
    G, clf, x, _ = parts
    f = W.render_translation(G, x[:1], 0, 2, clf, NAMES)
    out = stargan.translate(G, x[:1], 2)
    back = stargan.translate(G, out, 0)
    assert f.strip.shape == (32, 2 + 3 * 30) and 0 <= f.strip.min() and f.strip.max() <= 1
    assert np.allclose(
        f.strip[2:30, 32:60], (out[0, 0].numpy() + 1) / 2, atol=1e-6
    )  # 가운데 = 옮긴 것
    with torch.no_grad():
        probs = torch.softmax(clf.eval()(out), 1)[0]
    assert (
        np.allclose(f.values["probs"], probs.numpy(), atol=1e-6)
        and abs(sum(f.values["probs"]) - 1) < 1e-5
    )
    assert f.values["pred"] == int(probs.argmax())
    assert f.values["rec_l1"] == pytest.approx((back - x[:1]).abs().mean().item(), abs=1e-6)


def test_render_translation_errors(parts):
    G, clf, x, _ = parts
    with pytest.raises(GanBookError, match="tensor shape"):
        W.render_translation(G, x[:2], 0, 1, clf, NAMES)
    with pytest.raises(GanBookError, match="domain index"):
        W.render_translation(G, x[:1], 0, 3, clf, NAMES)


def test_domain_picker_updates(parts):
    G, clf, x, y = parts
    w = W.DomainPicker(G, x, y, clf, NAMES)
    a = w.last.strip.copy()
    w.target.value = 2
    b = w.last.strip.copy()
    assert not np.allclose(a[:, 32:60], b[:, 32:60])  # 목표가 바뀌면 옮긴 것이 바뀐다
    assert np.allclose(a[:, :30], b[:, :30])  # 원본은 그대로
    w.index.value = 3
    assert NAMES[0] in w.info.value and "확률" in w.info.value
    with pytest.raises(GanBookError, match="개수"):
        W.DomainPicker(G, x, y[:2], clf, NAMES)
