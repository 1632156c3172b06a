"""책의 평가 규약(gancore.metrics), 암기 검사, glue, 평균 ± 표준편차, 판별자 출력을 읽는 법(d_output)."""

import json

import numpy as np
import pytest
import torch

import gancore as gc
from gancore.errors import GanBookError
from gancore.metrics import memorization


def test_protocol_splits_are_disjoint_and_balanced():
    tr = gc.data.load("mnist5k", split=gc.metrics.TRAIN_SPLIT)
    te = gc.data.load("mnist5k", split=gc.metrics.REFERENCE_SPLIT)
    assert len(tr) == 4000 and len(te) == gc.metrics.N_EVAL == 1000
    # 같은 이미지가 두 분할에 함께 있지 않다
    a = {hash(x.numpy().tobytes()) for x in tr.x}
    assert not any(hash(x.numpy().tobytes()) in a for x in te.x)
    assert torch.bincount(te.y, minlength=10).min() >= 80


def test_cfid_reference_is_the_heldout_split():
    ref = gc.metrics.real_features()
    want = gc.metrics.judge.judge_outputs(gc.metrics.images("test"))[0]
    assert torch.allclose(ref, want)
    # 기준 집합 그 자체는 FID가 0에 가깝고, 진짜의 기준점은 작지만 0보다 크다
    assert gc.metrics.cfid(gc.metrics.images("test")) < 1e-3
    base = gc.metrics.real_baseline()
    assert 1 < base["cfid"] < 20 and base["classes"] == 10


def test_judge_accuracy_is_computed_on_heldout():
    acc = gc.metrics.judge_accuracy()
    te = gc.data.load("mnist5k", split="test")
    assert acc == pytest.approx(gc.metrics.judge.accuracy(gc.metrics.judge.get_judge(), te.x, te.y))
    assert 0.95 <= acc <= 1.0


def test_nn_distances_against_brute_force():
    g = torch.Generator().manual_seed(0)
    q, b = torch.randn(7, 1, 3, 3, generator=g), torch.randn(11, 1, 3, 3, generator=g)
    d, i = memorization.nn_distances(q, b)
    full = np.linalg.norm(q.reshape(7, 1, 9).numpy() - b.reshape(1, 11, 9).numpy(), axis=2)
    assert np.allclose(d.numpy(), full.min(1), atol=1e-5)
    assert (i.numpy() == full.argmin(1)).all()


def test_memorization_flags_copies_not_new_images():
    copies = gc.metrics.memorize(gc.metrics.images("train")[:300])
    assert copies["ratio"] < 0.01 and copies["near_copy"] == 1.0
    noise = gc.metrics.memorize(torch.rand(300, 1, 28, 28) * 2 - 1)
    assert noise["ratio"] > 1.5 and noise["near_copy"] == 0.0
    assert gc.metrics.compute("memorization", gc.metrics.images("test")[:50])["ratio"] > 0.5


def test_memorization_rejects_wrong_shape():
    with pytest.raises(GanBookError, match="같은 크기"):
        gc.metrics.memorize(torch.zeros(3, 1, 32, 32))


def test_evaluate_generator_uses_protocol_seed_and_size():
    from gancore.models.mlp import MLPGenerator

    G = MLPGenerator(z_dim=8, out_shape=(1, 28, 28), hidden=(16,))
    x = gc.metrics.eval_samples(G, 8)
    assert x.shape == (gc.metrics.N_EVAL, 1, 28, 28)
    assert torch.equal(x, gc.train.sample(G, gc.metrics.N_EVAL, 8, seed=gc.metrics.EVAL_SEED))
    m = gc.metrics.evaluate_generator(G, 8)
    assert set(m) >= {"cfid", "precision", "recall", "classes"}


def test_mean_sd_matches_numpy():
    v = [1.0, 2.0, 4.0]
    m, s = gc.report.mean_sd(v)
    assert m == pytest.approx(np.mean(v)) and s == pytest.approx(np.std(v, ddof=1))
    assert np.isnan(gc.report.mean_sd([3.0])[1])
    assert gc.report.fmt_mean_sd(v) == "2.3 ± 1.5 (시드 3개)"
    with pytest.raises(GanBookError):
        gc.report.mean_sd([])


def test_glue_writes_myst_nb_record(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    seen = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: seen.append((data, metadata))
    gc.report.glue("ch99_value", np.float32(0.5))
    data, meta = seen[-1]
    assert meta["scrapbook"] == {"name": "ch99_value", "mime_prefix": gc.report._PREFIX}
    assert json.loads(json.dumps(data))[gc.report._PREFIX + "text/plain"] == "0.5"
    with pytest.raises(GanBookError, match="glue"):
        gc.report.glue("bad name!", 1)


@pytest.mark.parametrize(
    "loss,kind",
    [
        ("ns", "prob"),
        ("minimax", "prob"),
        ("wgan", "score"),
        ("lsgan", "score"),
        ("hinge", "score"),
    ],
)
def test_history_says_how_to_read_d(loss, kind):
    from gancore.models.mlp import MLPDiscriminator, MLPGenerator

    data = gc.data.load("gauss1d", batch_size=32, n=256)
    G, D = (
        MLPGenerator(z_dim=2, out_shape=(1,), hidden=(8,)),
        MLPDiscriminator(in_shape=(1,), hidden=(8,)),
    )
    cfg = gc.train.TrainConfig(steps=3, batch_size=32, z_dim=2, log_every=1)
    hist = gc.train.fit(G, D, data, cfg, loss=loss, progress=False)
    assert hist.d_output == kind
    if kind == "prob":
        assert all(0 <= v <= 1 for v in hist.d_real + hist.d_fake)
    fig_axes = gc.plot.loss_curves(hist)
    label = fig_axes[1].get_ylabel()
    assert label.startswith("진짜일 확률") == (kind == "prob")
    assert ("확률 아님" in label) == (kind == "score")
