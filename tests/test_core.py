"""gancore 기본 모듈: 가져오기, runtime, errors, data."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import gancore as gc
from gancore.errors import GanBookError


def test_import_is_cheap_and_silent():
    code = (
        "import sys, gancore; print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_every_submodule_is_reachable_as_attribute():
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(gc.__path__))
    assert sorted(gc._SUBMODULES) == names  # gc.<모듈>로 모두 닿는다
    assert gc.latent.slerp is not None and gc.toy.pair is not None


def test_unknown_submodule():
    with pytest.raises(AttributeError):
        gc.nope  # noqa: B018


@pytest.mark.parametrize("env, want", [("quick", "quick"), ("full", "full"), (" FULL ", "full")])
def test_mode_from_env(monkeypatch, env, want):
    monkeypatch.setenv("GANBOOK_MODE", env)
    assert gc.runtime.mode() == want
    assert gc.runtime.choose(quick=1, full=2) == (2 if want == "full" else 1)


def test_mode_default_follows_device(monkeypatch):
    monkeypatch.delenv("GANBOOK_MODE", raising=False)
    assert gc.runtime.mode() == ("full" if torch.cuda.is_available() else "quick")


def test_bad_mode(monkeypatch):
    monkeypatch.setenv("GANBOOK_MODE", "fast")
    with pytest.raises(GanBookError, match="GANBOOK_MODE.*invalid mode"):
        gc.runtime.mode()


def test_seed_all_repeats():
    gc.runtime.seed_all(3)
    a = (torch.rand(3), np.random.rand(3))
    gc.runtime.seed_all(3)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_check_shape():
    gc.errors.check_shape(torch.zeros(2, 3), [None, 3])
    with pytest.raises(GanBookError, match=r"텐서 모양\(tensor shape\).*\(2, 4\).*\(\*, 3\)"):
        gc.errors.check_shape(torch.zeros(2, 4), [None, 3], "입력")
    with pytest.raises(GanBookError):
        gc.errors.check_shape(torch.zeros(2, 3, 1), [None, 3])


def test_mnist5k_range_shuffle_and_splits():
    b = gc.data.load("mnist5k", batch_size=32)
    assert b.x.shape == (5000, 1, 28, 28) and b.y.shape == (5000,)
    assert b.x.min() == -1 and b.x.max() == 1
    assert torch.bincount(b.y).tolist() == [500] * 10
    assert len(set(b.y[:50].tolist())) >= 8  # 섞였다 (원본은 클래스 순서)
    tr, te = gc.data.load("mnist5k", split="train"), gc.data.load("mnist5k", split="test")
    assert len(tr) == 4000 and len(te) == 1000
    assert torch.equal(torch.cat([te.x, tr.x]), b.x)  # 겹치지 않는 고정 분할
    x, y = next(iter(b.loader))
    assert x.shape == (32, 1, 28, 28) and y.shape == (32,)


def test_loader_is_seeded_and_drops_last():
    x = torch.arange(10.0).unsqueeze(1)
    a = [t[0].flatten().tolist() for t in gc.data.make_loader(x, batch_size=4, seed=1)]
    b = [t[0].flatten().tolist() for t in gc.data.make_loader(x, batch_size=4, seed=1)]
    assert a == b and len(a) == 2
    with pytest.raises(GanBookError, match="batch size"):
        gc.data.make_loader(x, batch_size=11)


def test_digits():
    b = gc.data.load("digits")
    assert b.x.shape == (1797, 1, 8, 8) and b.x.min() >= -1 and b.x.max() <= 1


@pytest.mark.parametrize("name, k", [("ring8", 8), ("grid25", 25)])
def test_toy_mixtures(name, k):
    b = gc.data.load(name, n=4000, seed=1)
    c, s = b.meta["centers"], b.meta["std"]
    assert b.x.shape == (4000, 2) and c.shape == (k, 2)
    err = b.x - c[b.y]  # 각 표본에서 자기 모드 중심을 뺀 값 ~ N(0, s²)
    assert abs(err.std().item() - s) < 0.1 * s
    assert torch.bincount(b.y, minlength=k).min() > 4000 / k * 0.7


def test_ring_centers_on_circle():
    c = gc.data.ring_centers(8, 2.0)
    assert torch.allclose(c.norm(dim=1), torch.full((8,), 2.0))


def test_1d_sets_and_swissroll():
    g = gc.data.load("gauss1d", n=20000)
    assert g.x.shape == (20000, 1)
    assert abs(g.x.mean().item() - 2.0) < 0.02 and abs(g.x.std().item() - 0.5) < 0.02
    m = gc.data.load("mix1d", n=20000)
    w = m.meta["weights"]
    assert abs((m.y == 1).float().mean().item() - w[1]) < 0.02
    assert gc.data.load("swissroll", n=500).x.shape == (500, 2)


def test_unknown_dataset_lists_names():
    with pytest.raises(GanBookError, match=r"unknown 데이터셋\(dataset\).*'cifar'.*mnist5k"):
        gc.data.load("cifar")
    with pytest.raises(GanBookError, match="split"):
        gc.data.load("mnist5k", split="val")
    with pytest.raises(GanBookError, match="source"):
        gc.data.load("mnist5k", source="web")
    with pytest.raises(GanBookError, match="torchvision"):
        gc.data.load("mnist5k", source="torchvision")


def test_torchvision_offline_gives_clear_error(tmp_path, monkeypatch):
    import torchvision

    def boom(*a, **k):
        raise OSError("network is unreachable")

    monkeypatch.setattr(torchvision.datasets, "MNIST", boom)
    with pytest.raises(GanBookError, match=r"download failed.*mnist5k"):
        gc.data.load("mnist", source="torchvision", root=str(tmp_path))
