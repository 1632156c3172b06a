"""평가 지표: 심판 분류기, FID, 정밀도/재현율, 모드 커버리지, 레지스트리."""

import numpy as np
import pytest
import torch
from scipy import linalg

import gancore as gc
from gancore.errors import GanBookError
from gancore.metrics import fid, pr


@pytest.fixture(scope="module")
def judge():
    return gc.metrics.judge.get_judge(progress=False)


def test_judge_heldout_accuracy(judge):
    te = gc.data.load("mnist5k", split="test")
    assert gc.metrics.judge.accuracy(judge, te.x, te.y) >= 0.97


def test_judge_is_cached(judge, tmp_path):
    assert gc.metrics.judge.get_judge() is judge
    assert (gc.metrics.judge.cache_dir() / f"mnist_judge_v{gc.metrics.judge.VERSION}.pt").exists()


def test_judge_bad_cache_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_CACHE", str(tmp_path))
    (tmp_path / f"mnist_judge_v{gc.metrics.judge.VERSION}.pt").write_bytes(b"not a model")
    with pytest.raises(GanBookError, match=r"cache"):
        gc.metrics.judge.get_judge()


def test_judge_rejects_wrong_shape(judge):
    with pytest.raises(GanBookError, match="28×28"):
        gc.metrics.judge.judge_outputs(torch.zeros(2, 1, 32, 32))


def test_frechet_distance_closed_form():
    # 대각 공분산이면 Tr(√(s1 s2)) = Σ √(a_i b_i)
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    a, b = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 2, 4)
    want = np.sum((mu1 - mu2) ** 2) + np.sum(a + b - 2 * np.sqrt(a * b))
    assert np.isclose(fid.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)), want)
    # 일반 공분산: scipy sqrtm과 독립적으로 고윳값으로 계산한 1차원 경우 — (σ1 - σ2)²
    assert np.isclose(
        fid.frechet_distance(np.zeros(1), np.eye(1) * 4, np.zeros(1), np.eye(1) * 9), 1.0
    )
    s = rng.normal(size=(5, 5))
    s = s @ s.T + np.eye(5)
    assert abs(fid.frechet_distance(np.zeros(5), s, np.zeros(5), s)) < 1e-6
    assert np.allclose(linalg.sqrtm(s) @ linalg.sqrtm(s), s)


def test_fid_errors():
    with pytest.raises(GanBookError, match="features"):
        fid.stats(np.zeros(3))


def test_cfid_scale_anchors(judge):
    """척도 고정: 진짜 두 절반 ≈ 2–4, 균일 잡음 > 1000 (책의 본문이 이 기준을 인용한다)."""
    x = gc.data.load("mnist5k").x
    perm = torch.randperm(5000, generator=torch.Generator().manual_seed(0))
    fa = gc.metrics.judge.judge_outputs(x[perm[:2500]])[0]
    fb = gc.metrics.judge.judge_outputs(x[perm[2500:]])[0]
    halves = fid.fid_from_features(fa, fb)
    noise = gc.metrics.cfid(
        torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    )
    assert 1.0 < halves < 6.0
    assert noise > 1000


def test_precision_recall_by_hand():
    real = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    fake = torch.tensor([[0.5], [10.0]])
    # k=1: 진짜 점의 반지름은 모두 1 → 0.5는 안, 10은 밖 → 정밀도 1/2
    # 가짜 점의 반지름 = 9.5 → 진짜 점 네 개 모두 0.5의 공 안 → 재현율 1
    p, r = pr.precision_recall(real, fake, k=1)
    assert (p, r) == (0.5, 1.0)


def test_evaluate_mnist_on_real_digits(judge):
    m = gc.metrics.evaluate_mnist(gc.data.load("mnist5k", split="test").x)
    assert m["classes"] == 10 and m["confident"] > 0.9 and m["precision"] > 0.9 and m["cfid"] < 10
    assert sum(m["hist"]) == 1000
    assert "classifier-FID" in gc.metrics.format_mnist(m)


def test_evaluate_mnist_matches_the_single_metrics(judge):
    """묶음은 심판을 한 번만 돌리지만, 지표 하나씩 부른 값과 같아야 한다."""
    x = gc.data.load("mnist5k", split="train").x[:300].flip(-1)  # 좌우로 뒤집어 덜 진짜 같은 표본
    m = gc.metrics.evaluate_mnist(x)
    p, r = gc.metrics.precision_recall(x)
    cs = gc.metrics.class_stats(x)
    assert m["cfid"] == pytest.approx(gc.metrics.cfid(x), rel=1e-9)
    assert (m["precision"], m["recall"]) == (p, r)
    assert m["hist"] == cs["hist"] and m["confident"] == cs["confident"]
    assert torch.equal(m["pred"], cs["pred"])
    f, logits = judge.outputs(x[:50])
    assert torch.allclose(f, judge.features(x[:50])) and torch.allclose(logits, judge(x[:50]))


def test_real_baseline_is_computed_once(judge, monkeypatch):
    first = gc.metrics.real_baseline()
    monkeypatch.setattr(gc.metrics, "evaluate_mnist", lambda s: pytest.fail("다시 계산함"))
    again = gc.metrics.real_baseline()
    assert again == first and again is not first


def test_label_accuracy(judge):
    te = gc.data.load("mnist5k", split="test")
    assert gc.metrics.label_accuracy(te.x, te.y) > 0.97
    assert gc.metrics.label_accuracy(te.x, (te.y + 1) % 10) < 0.05


def test_mode_coverage_counts():
    c = gc.data.ring_centers(8)
    s = torch.cat(
        [c[:3].repeat_interleave(100, 0), torch.full((50, 2), 9.0)]
    )  # 3개 모드 + 엉뚱한 점
    m = gc.metrics.compute("mode_coverage", s, c, 0.02)
    assert m["modes"] == 3 and m["n_modes"] == 8
    assert np.isclose(m["hq"], 300 / 350) and m["counts"][:3] == [100, 100, 100]
    with pytest.raises(GanBookError):
        gc.metrics.compute("mode_coverage", torch.zeros(5, 3), c, 0.02)


def test_registry_unknown():
    with pytest.raises(GanBookError, match=r"unknown 지표\(metric\).*cfid"):
        gc.metrics.compute("inception_score", None)
