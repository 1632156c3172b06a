"""13장 StyleGAN 위젯(gancore.widgets.style)과 미리 학습한 생성자: 모양, ψ = 0은 평균 w, 교차점 k, 잘못된 입력."""

import pytest
import torch

import gancore as gc
from gancore.errors import GanBookError
from gancore.models import stylegan as S
from gancore.widgets import style

TINY = dict(z_dim=8, w_dim=8, channels=(8, 8, 4, 4), map_layers=2)


def _g(seed=0):
    torch.manual_seed(seed)
    G = S.Generator(**TINY).eval()
    G.w_avg.normal_()  # 평균 w가 0이 아니어야 ψ = 0의 검사가 뜻이 있다
    return G


def _direct(G, w1, w2, k):
    """독립 계산: 층 < k에 w1, 나머지에 w2를 손으로 쌓아 합성한다 (잡음 끔), 가운데 28×28을 0..1로."""
    ws = torch.stack([w1 if i < k else w2 for i in range(G.num_ws)])[None]  # (1, L, w_dim)
    with torch.no_grad():
        x = G.synthesis(ws, noise="none")
    return (S.crop28(x)[0, 0].clamp(-1, 1).numpy() + 1) / 2


def test_shapes():
    G = _g()
    f = style.render_style_mix(G, torch.randn(8), torch.randn(8), 0.7, 4)
    L = G.num_ws
    assert f.current.shape == (28, 28)
    assert f.strip.shape[0] == 28 + 4 and f.strip.shape[1] == (L + 1) * 28 + (L + 2) * 2
    assert 0 <= f.current.min() and f.current.max() <= 1
    assert f.values["from_w1"] == [0, 1, 2, 3] and f.values["num_ws"] == L


def test_psi_zero_is_the_mean_w_image():
    G = _g()
    want = _direct(G, G.w_avg, G.w_avg, 0)
    for seed in (1, 2):
        z1, z2 = torch.randn(2, 8, generator=torch.Generator().manual_seed(seed))
        for k in (0, 3, G.num_ws):
            f = style.render_style_mix(G, z1, z2, 0.0, k)
            assert abs(f.current - want).max() < 1e-5


def test_crossover_uses_w1_below_k():
    G = _g()
    z1, z2 = torch.randn(8), torch.randn(8)
    psi = 0.6
    with torch.no_grad():
        w1, w2 = G.truncate(G.mapping(torch.stack([z1, z2])), psi)
    for k in range(G.num_ws + 1):
        f = style.render_style_mix(G, z1, z2, psi, k)
        assert abs(f.current - _direct(G, w1, w2, k)).max() < 1e-5, k
    # 끝의 두 교차점은 섞지 않은 생성: k = num_ws는 z1만, k = 0은 z2만 (G.forward, 잡음 끔)
    with torch.no_grad():
        only1 = (S.crop28(G(z1[None], psi, "none"))[0, 0].clamp(-1, 1).numpy() + 1) / 2
        only2 = (S.crop28(G(z2[None], psi, "none"))[0, 0].clamp(-1, 1).numpy() + 1) / 2
    assert abs(style.render_style_mix(G, z1, z2, psi, G.num_ws).current - only1).max() < 1e-5
    assert abs(style.render_style_mix(G, z1, z2, psi, 0).current - only2).max() < 1e-5
    # 한 줄 그림은 k = 0…num_ws 차례: 첫 칸은 z2만, 마지막 칸은 z1만
    strip = style.render_style_mix(G, z1, z2, psi, 2).strip
    assert abs(strip[2:30, 2:30] - only2).max() < 1e-5
    assert abs(strip[2:30, -30:-2] - only1).max() < 1e-5


def test_bad_input_is_korean_error_with_english_term(tmp_path):
    G = _g()
    z = torch.randn(8)
    with pytest.raises(GanBookError, match="절단 ψ.*truncation psi"):
        style.render_style_mix(G, z, z, 1.5, 4)
    with pytest.raises(GanBookError, match="truncation psi"):
        style.render_style_mix(G, z, z, -0.1, 4)
    with pytest.raises(GanBookError, match="교차점.*crossover"):
        style.render_style_mix(G, z, z, 0.5, G.num_ws + 1)
    with pytest.raises(GanBookError, match="crossover"):
        style.render_style_mix(G, z, z, 0.5, -1)
    with pytest.raises(GanBookError, match="crossover"):
        style.render_style_mix(G, z, z, 0.5, 2.5)
    with pytest.raises(GanBookError, match="tensor shape"):
        style.render_style_mix(G, torch.randn(9), z, 0.5, 2)
    with pytest.raises(GanBookError, match="StyleGAN 생성자.*generator"):
        style.render_style_mix(gc.models.build("dcgan_g", z_dim=8, ch=4), z, z, 0.5, 2)
    D = gc.models.build("dcgan_g", z_dim=8, ch=4)
    p = gc.checkpoint.save(tmp_path / "dcgan.pt", D, "dcgan_g", model_kwargs={"z_dim": 8, "ch": 4})
    with pytest.raises(GanBookError, match="checkpoint from another model"):
        S.pretrained(p)


def test_style_mixer_wrapper_follows_controls():
    pytest.importorskip("ipywidgets")
    G = _g()
    w = style.StyleMixer(G, seeds=(3, 8), psi=0.7, k=4)
    assert w.last.values == {"psi": 0.7, "k": 4, "num_ws": 8, "from_w1": [0, 1, 2, 3]}
    w.k.value = 6
    assert w.last.values["k"] == 6
    z = [gc.latent.random_latents(1, 8, seed=s)[0] for s in (3, 8)]
    assert (w.last.current == style.render_style_mix(G, *z, 0.7, 6).current).all()
    w.psi.value = 0.0
    assert abs(w.last.current - _direct(G, G.w_avg, G.w_avg, 0)).max() < 1e-5


def test_pretrained_generator_is_committed_and_recorded():
    path = S.PRETRAINED_PATH
    if not path.exists():
        pytest.fail(f"커밋된 체크포인트가 없습니다: {path}")
    assert path.stat().st_size <= 5_000_000
    G, info = S.pretrained()
    ex = info["extra"]
    assert ex["command"].startswith("python tools/pretrain_stylegan.py pretrain")
    assert ex["split"] == gc.metrics.TRAIN_SPLIT and ex["n_eval"] == gc.metrics.N_EVAL
    assert info["config"]["steps"] == S.PRETRAIN.cfg.steps and not ex["stopped_early"]
    assert G.w_avg.norm() > 0  # 추적한 평균 w가 함께 저장되었다
    assert not G.training and not any(p.requires_grad for p in G.parameters())


def test_pretrain_stylegan_dry_run(tmp_path):
    """tools/pretrain_stylegan.py --dry-run: 3단계, 명령·설정·규약이 기록되고 다시 읽을 수 있는 체크포인트."""
    import sys

    sys.path.insert(0, str(S.PRETRAINED_PATH.parent.parent.parent / "tools"))
    import pretrain_stylegan

    path = pretrain_stylegan.main(["pretrain", "--dry-run", "--threads", "1"])
    G, info = S.pretrained(path)
    ex = info["extra"]
    assert info["config"]["steps"] == 3 and ex["split"] == gc.metrics.TRAIN_SPLIT
    assert ex["command"] == "python tools/pretrain_stylegan.py pretrain --dry-run --threads 1"
    assert ex["model_kwargs"] == S.model_kwargs(S.PRETRAIN) and ex["threads"] == 1
    assert {"cfid", "precision", "recall", "seconds", "torch", "date"} <= set(ex)
