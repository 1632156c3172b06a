"""gancore.export: ONNX로 내보낸 생성자가 PyTorch와 같은 값을 내는지, JSON의 잠재 벡터가 장의 시드와 같은지."""

import json

import numpy as np
import pytest
import torch

import gancore as gc
from gancore import export

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def _tiny(kind: str, **kw):
    torch.manual_seed(0)
    if kind == "dcgan_g":
        G = gc.models.build("dcgan_g", z_dim=8, ch=4, **kw)
    else:
        G = gc.models.build("cgan_g", z_dim=8, **kw)
    for (
        m
    ) in G.modules():  # 배치 정규화의 running 통계도 0, 1이 아니게: 평가 모드의 식이 다 쓰이도록
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    return G.eval()


@pytest.mark.parametrize(
    "kind,kw",
    [
        ("dcgan_g", {}),
        ("cgan_g", {"arch": "mlp", "cond": "embed", "hidden": (16, 32)}),
        ("cgan_g", {"arch": "mlp", "cond": "onehot", "hidden": (16, 32)}),
        ("cgan_g", {"arch": "conv", "cond": "embed", "ch": 4}),
    ],
)
def test_onnx_matches_torch_tiny(tmp_path, kind, kw):
    G = _tiny(kind, **kw)
    path = export.to_onnx(G, tmp_path / "g.onnx")
    z = torch.randn(7, 8, generator=torch.Generator().manual_seed(1))  # 학습 때와 다른 배치 크기
    y = torch.tensor([0, 3, 9, 1, 1, 5, 2]) if kind == "cgan_g" else None
    got = export.run_onnx(path, z, y)
    with torch.no_grad():
        want = G(z) if y is None else G(z, y)
    assert got.shape == want.shape == (7, 1, 28, 28)
    assert (got - want).abs().max() < 1e-5


def _committed(name: str):
    path = export.SITE_MODELS[name]
    if not path.exists():
        pytest.fail(f"커밋된 체크포인트가 없습니다: {path}")
    return export.load_generator(path)


def test_dcgan_pretrained_onnx_matches(tmp_path):
    G, info = _committed("dcgan_mnist")
    assert info["name"] == "dcgan_g"
    path = export.to_onnx(G, tmp_path / "dcgan.onnx")
    assert path.stat().st_size <= export.MAX_BYTES
    z = torch.randn(32, G.z_dim, generator=torch.Generator().manual_seed(2))
    got, want = export.run_onnx(path, z), G(z)
    assert (got - want).abs().max() < 1e-4
    assert (export.to_pixels(got).int() - export.to_pixels(want).int()).abs().max() <= 1


def test_cgan_pretrained_onnx_matches(tmp_path):
    G, info = _committed("cgan_mnist")
    assert info["name"] == "cgan_g" and info["extra"]["split"] == gc.metrics.TRAIN_SPLIT
    path = export.to_onnx(G, tmp_path / "cgan.onnx")
    assert path.stat().st_size <= export.MAX_BYTES
    z = torch.randn(30, G.z_dim, generator=torch.Generator().manual_seed(3))
    y = torch.arange(30) % 10
    got, want = export.run_onnx(path, z, y), G(z, y)
    # 가중치가 2 MB를 넘으면 float16으로 저장한다: 그래도 화소로 2/255 안
    assert (export.to_pixels(got).int() - export.to_pixels(want).int()).abs().max() <= 2


def test_fp16_weights_when_too_big(tmp_path):
    G = _tiny("cgan_g", arch="mlp", hidden=(64, 128))
    full = export.to_onnx(G, tmp_path / "full.onnx").stat().st_size
    small = export.to_onnx(G, tmp_path / "small.onnx", max_bytes=full - 1)
    assert small.stat().st_size < 0.6 * full  # 가중치가 반 크기로
    z, y = torch.randn(5, 8), torch.arange(5)
    with torch.no_grad():
        assert (export.run_onnx(small, z, y) - G(z, y)).abs().max() < 5e-3
    with pytest.raises(gc.errors.GanBookError, match="너무 큽니다"):
        export.to_onnx(G, tmp_path / "x.onnx", max_bytes=1000)


def test_wrong_checkpoint_kind_is_korean_error(tmp_path):
    D = gc.models.build("dcgan_d", ch=4)
    p = gc.checkpoint.save(tmp_path / "d.pt", D, "dcgan_d")
    with pytest.raises(gc.errors.GanBookError, match="생성자.*'dcgan_d'"):
        export.load_generator(p)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(gc.errors.GanBookError, match="읽지 못했습니다"):
        export.load_generator(tmp_path / "junk.pt")
    with pytest.raises(gc.errors.GanBookError, match="없습니다"):
        export.load_generator(tmp_path / "missing.pt")
    with pytest.raises(gc.errors.GanBookError, match="생성자"):
        export.to_onnx(D, tmp_path / "d.onnx")


def test_run_onnx_wrong_inputs(tmp_path):
    G = _tiny("cgan_g", arch="mlp", hidden=(16, 32))
    path = export.to_onnx(G, tmp_path / "g.onnx")
    with pytest.raises(gc.errors.GanBookError, match="입력"):
        export.run_onnx(path, torch.randn(2, 8))  # 레이블 y를 빠뜨림


def test_b64_roundtrip_exact():
    x = torch.randn(3, 5, dtype=torch.float32)
    assert torch.equal(export.from_b64(export._b64(x)), x)


def test_dcgan_page_data_same_as_chapter_cells():
    G = _tiny("dcgan_g")
    cfg = dict(export.CH05, n_seeds=15, pool_n=60, attr_n=3, abc_n=4)
    data = json.loads(json.dumps(export.dcgan_page_data(G, cfg)))  # JSON으로 오가도 같은지
    seeds = export.from_b64(data["seeds"])
    for s in (0, 11, 14):  # 5장 위젯: 시드 s → random_latents(1, d, seed=s)[0]
        assert torch.equal(seeds[s], gc.latent.random_latents(1, 8, seed=s)[0])
    pool_z = gc.latent.random_latents(60, 8, seed=export.CH05["pool_seed"])
    scores = gc.attributes.measure(gc.widgets.latent.decode(G, pool_z))
    for k in ("thickness", "slant"):
        want = gc.latent.attribute_vector(pool_z, scores[k], q=export.CH05["q"])
        assert torch.allclose(export.from_b64(data["attributes"][k]), want)
    assert torch.equal(
        export.from_b64(data["abc_pool"]), gc.latent.random_latents(4, 8, seed=cfg["abc_seed"])
    )
    assert torch.equal(
        export.from_b64(data["attr_z"]), gc.latent.random_latents(3, 8, seed=cfg["attr_seed"])
    )
    assert data["seeds_default"] == [11, 12]


def test_write_site_assets(tmp_path):
    G = _tiny("cgan_g", arch="mlp", hidden=(16, 32))
    ck = gc.checkpoint.save(
        tmp_path / "c.pt",
        G,
        "cgan_g",
        model_kwargs={"z_dim": 8, "arch": "mlp", "hidden": [16, 32]},
    )
    files = export.write_site_assets(tmp_path / "out", {"tiny": ck})
    assert [f.name for f in files] == ["tiny.onnx", "tiny.json"]
    data = json.loads((tmp_path / "out" / "tiny.json").read_text(encoding="utf-8"))
    assert data["kind"] == "cgan_g" and data["model"] == "tiny.onnx" and data["n_classes"] == 10
    assert data["meta"]["sha256"] == export.sha256(ck)
    z = export.from_b64(data["seeds"])
    assert z.shape == (export.CH04["n_seeds"], 8)
    assert torch.equal(z[7], gc.latent.random_latents(1, 8, seed=7)[0])
    y = torch.full((len(z),), 4)
    with torch.no_grad():
        assert np.allclose(export.run_onnx(files[0], z, y), G(z, y), atol=1e-5)


def test_pretrain_cgan_dry_run_is_exportable(tmp_path):
    """tools/pretrain_cgan.py --dry-run: 3단계, 명령·설정·규약이 기록되고 ONNX로 내보낼 수 있는 체크포인트."""
    import sys

    sys.path.insert(0, str(export.ASSETS.parent.parent / "tools"))
    import pretrain_cgan

    path = pretrain_cgan.main(["pretrain", "--dry-run", "--threads", "1"])
    G, info = export.load_generator(path)
    assert info["config"]["steps"] == 3 and info["extra"]["split"] == gc.metrics.TRAIN_SPLIT
    assert (
        info["extra"]["command"] == "python tools/pretrain_cgan.py pretrain --dry-run --threads 1"
    )
    assert info["extra"]["model_kwargs"] == pretrain_cgan.MODEL_KWARGS
    onnx_path = export.to_onnx(G, tmp_path / "c.onnx")
    z, y = torch.randn(4, G.z_dim), torch.arange(4)
    with torch.no_grad():
        assert (export.run_onnx(onnx_path, z, y) - G(z, y)).abs().max() < 1e-2


def _style_reference(G, z1, z2, psi: float, ks) -> torch.Tensor:
    """torch 쪽의 독립 계산: 절단한 w₁·w₂를 `stylegan.mix_ws`로 이미지마다 교차점 k에서 섞어 합성 (잡음 끔)."""
    from gancore.models import stylegan as S

    with torch.no_grad():
        w1, w2 = G.truncate(G.mapping(z1), psi), G.truncate(G.mapping(z2), psi)
        ws = torch.cat(
            [S.mix_ws(w1[i : i + 1], w2[i : i + 1], k, G.num_ws) for i, k in enumerate(ks)]
        )
        return G.synthesis(ws, noise="none")  # (B, 1, 32, 32)


def _mix(ks, L: int) -> torch.Tensor:
    return (torch.arange(L)[None] < torch.tensor(ks)[:, None]).float()  # (B, L): 층 < k에 1


def test_stylegan_onnx_matches_torch_tiny(tmp_path):
    from gancore.models import stylegan as S

    torch.manual_seed(0)
    G = S.Generator(z_dim=8, w_dim=8, channels=(8, 8, 4, 4), map_layers=2).eval()
    for layer in G.layers:  # 잡음의 세기가 0이 아니어도 ONNX는 잡음을 끈다
        layer.noise_weight.data.normal_()
    G.w_avg.normal_()
    path = export.to_onnx(G, tmp_path / "s.onnx")
    g = torch.Generator().manual_seed(4)
    z1, z2 = torch.randn(7, 8, generator=g), torch.randn(7, 8, generator=g)
    ks = [0, 1, 3, 4, 8, 2, 5]
    for psi in (0.0, 0.6, 1.0):
        got = export.run_onnx(path, z1=z1, z2=z2, psi=torch.tensor([psi]), mix=_mix(ks, 8))
        want = _style_reference(G, z1, z2, psi, ks)
        assert got.shape == want.shape == (7, 1, 32, 32)
        assert (got - want).abs().max() < 1e-4, psi
    data = json.loads(json.dumps(export.stylegan_page_data(G, dict(export.CH13, n_seeds=5))))
    assert data["num_ws"] == 8 and data["size"] == 32
    assert torch.equal(export.from_b64(data["seeds"])[3], gc.latent.random_latents(1, 8, seed=3)[0])


def test_stylegan_pretrained_onnx_matches(tmp_path):
    G, info = _committed("stylegan_mnist")
    assert info["name"] == "stylegan_g" and info["extra"]["split"] == gc.metrics.TRAIN_SPLIT
    path = export.to_onnx(G, tmp_path / "stylegan.onnx")
    assert path.stat().st_size <= export.MAX_BYTES
    g = torch.Generator().manual_seed(5)
    z1, z2 = torch.randn(9, G.z_dim, generator=g), torch.randn(9, G.z_dim, generator=g)
    ks = list(range(G.num_ws + 1))
    for psi in (0.0, 0.7, 1.0):
        got = export.run_onnx(path, z1=z1, z2=z2, psi=torch.tensor([psi]), mix=_mix(ks, G.num_ws))
        want = _style_reference(G, z1, z2, psi, ks)
        assert (got - want).abs().max() < 1e-3, psi
        assert (export.to_pixels(got).int() - export.to_pixels(want).int()).abs().max() <= 1
