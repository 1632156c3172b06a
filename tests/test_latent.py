"""gancore.latent: lerp, slerp, 걷기, 속성 벡터, 벡터 산술."""

import math

import pytest
import torch

from gancore import latent as L
from gancore.errors import GanBookError


def _pair(d=16, seed=0, same_norm=False):
    g = torch.Generator().manual_seed(seed)
    z0, z1 = (
        torch.randn(d, generator=g, dtype=torch.float64),
        torch.randn(d, generator=g, dtype=torch.float64),
    )
    if same_norm:
        z1 = z1 / z1.norm() * z0.norm()
    return z0, z1


def _angle(a, b):
    return math.acos(float(torch.dot(a, b) / (a.norm() * b.norm())))


def test_lerp_endpoints_and_midpoint():
    z0, z1 = _pair()
    assert torch.equal(L.lerp(z0, z1, 0.0), z0)
    assert torch.allclose(L.lerp(z0, z1, 1.0), z1)
    assert torch.allclose(L.lerp(z0, z1, 0.5), (z0 + z1) / 2)
    path = L.lerp(z0, z1, torch.tensor([0.0, 0.25, 1.0], dtype=torch.float64))
    assert path.shape == (3, 16)
    assert torch.allclose(path[1], 0.75 * z0 + 0.25 * z1)


def test_slerp_endpoints_exact():
    z0, z1 = _pair()
    assert torch.allclose(L.slerp(z0, z1, 0.0), z0, atol=1e-12)
    assert torch.allclose(L.slerp(z0, z1, 1.0), z1, atol=1e-12)


def test_slerp_preserves_norm_for_equal_norm_endpoints():
    z0, z1 = _pair(same_norm=True)
    path = L.slerp(z0, z1, torch.linspace(0, 1, 11, dtype=torch.float64))
    assert torch.allclose(path.norm(dim=1), z0.norm().expand(11), rtol=1e-10)
    # lerp는 가운데에서 노름이 줄어든다 (비교 기준)
    assert L.lerp(z0, z1, 0.5).norm() < 0.99 * z0.norm()


def test_slerp_midpoint_bisects_angle_and_stays_in_plane():
    z0, z1 = _pair(d=8, seed=3, same_norm=True)  # 끝점의 노름이 같을 때
    m = L.slerp(z0, z1, 0.5)
    assert _angle(z0, m) == pytest.approx(_angle(m, z1), abs=1e-9)
    assert _angle(z0, m) == pytest.approx(_angle(z0, z1) / 2, abs=1e-9)
    # t에 비례해 각이 는다: 독립적인 계산 (평면 안의 회전)으로 확인
    t = 0.3
    assert _angle(z0, L.slerp(z0, z1, t)) == pytest.approx(t * _angle(z0, z1), abs=1e-9)
    coef = torch.linalg.lstsq(torch.stack([z0, z1], 1), m[:, None]).solution
    assert torch.allclose(torch.stack([z0, z1], 1) @ coef, m[:, None], atol=1e-9)


def test_slerp_parallel_falls_back_to_lerp():
    z0 = torch.ones(4, dtype=torch.float64)
    out = L.slerp(z0, 2 * z0, 0.5)
    assert torch.allclose(out, 1.5 * z0)


def test_interpolate_and_errors():
    z0, z1 = _pair()
    for m in ("lerp", "slerp"):
        p = L.interpolate(z0, z1, 7, m)
        assert p.shape == (7, 16)
        assert torch.allclose(p[0], z0) and torch.allclose(p[-1], z1)
    with pytest.raises(GanBookError, match="unknown 보간 방법"):
        L.interpolate(z0, z1, 5, "cubic")
    with pytest.raises(GanBookError, match="2 이상"):
        L.interpolate(z0, z1, 1)
    with pytest.raises(GanBookError, match="latent vector"):
        L.lerp(z0, z1[:3], 0.5)


def test_walk_loops_through_keys():
    keys = torch.randn(3, 5, dtype=torch.float64)
    path = L.walk(keys, steps=4)
    assert path.shape == (12, 5)
    for k in range(3):
        assert torch.allclose(path[4 * k], keys[k])
    open_path = L.walk(keys, steps=4, loop=False)
    assert open_path.shape == (9, 5) and torch.allclose(open_path[-1], keys[-1])
    with pytest.raises(GanBookError, match="2개 이상"):
        L.walk(keys[:1])


def test_random_latents_match_train_sample_order():
    z = L.random_latents(4, 8, seed=5)
    g = torch.Generator().manual_seed(5)
    assert torch.equal(z, torch.randn(4, 8, generator=g))


def test_attribute_vector_is_difference_of_quantile_means():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(100, 6, generator=g)
    scores = z[:, 2] * 3 + 0.1 * torch.randn(100, generator=g)  # 점수는 2번 축을 따른다
    v = L.attribute_vector(z, scores, q=0.2)
    order = scores.argsort()
    want = z[order[80:]].mean(0) - z[order[:20]].mean(0)
    assert torch.allclose(v, want)
    assert v.abs().argmax() == 2 and v[2] > 0
    with pytest.raises(GanBookError, match="quantile"):
        L.attribute_vector(z, scores, q=0.7)
    with pytest.raises(GanBookError, match="수가 다릅니다"):
        L.attribute_vector(z, scores[:10])


def test_shift_and_arithmetic():
    z = torch.randn(5, 3)
    v = torch.tensor([1.0, 0.0, -1.0])
    out = L.shift(z, v, [-1.0, 0.0, 2.0])
    assert out.shape == (3, 5, 3)
    assert torch.allclose(out[1], z) and torch.allclose(out[2], z + 2 * v)
    a, b, c = torch.randn(3, 4)
    assert torch.allclose(L.arithmetic(a, b, c), a - b + c)
    with pytest.raises(GanBookError, match="shape mismatch"):
        L.arithmetic(a, b, c[:2])
