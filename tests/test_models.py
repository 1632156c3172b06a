"""모델 레지스트리 전체에 같은 검사 (diffusers의 공통 모델 테스트처럼).

등록된 모델마다 작은 설정(TINY: 생성 인자, 입력을 만드는 함수, 기대하는 출력 모양)을 두고, 순전파 모양,
역전파(모든 학습 파라미터에 유한한 기울기), gancore.checkpoint로 저장·읽기 뒤 같은 출력을 본다.
새 모델을 등록하면 여기에 한 줄을 더한다 (빠지면 test_every_model_has_a_tiny_config가 실패한다).
"""

import pytest
import torch

import gancore as gc

B = 2


def _z(d):
    return lambda: (torch.randn(B, d),)


def _x(c, s):
    return lambda: (torch.rand(B, c, s, s) * 2 - 1,)


def _zy(d, k):
    return lambda: (torch.randn(B, d), torch.randint(k, (B,)))


def _xy(c, s, k):
    return lambda: (torch.rand(B, c, s, s) * 2 - 1, torch.randint(k, (B,)))


# 이름 → (생성 인자, 입력 함수, 출력 모양)
TINY = {
    "mlp_g": (dict(z_dim=4, out_shape=(1, 6, 6), hidden=(8,)), _z(4), (B, 1, 6, 6)),
    "mlp_d": (dict(in_shape=(1, 6, 6), hidden=(8,)), _x(1, 6), (B,)),
    "cgan_g": (dict(z_dim=4, n_classes=3, embed_dim=2, ch=4), _zy(4, 3), (B, 1, 28, 28)),
    "cgan_d": (dict(n_classes=3, embed_dim=2, ch=4), _xy(1, 28, 3), (B,)),
    "dcgan_g": (dict(z_dim=4, ch=4), _z(4), (B, 1, 28, 28)),
    "dcgan_d": (dict(ch=4), _x(1, 28), (B,)),
    "unet": (dict(size=8, ngf=4), _x(1, 8), (B, 1, 8, 8)),
    "patchgan": (dict(in_ch=1, ndf=4, n_layers=1), _x(1, 16), None),
    "resnet_gen": (dict(ngf=4, n_blocks=1), _x(1, 8), (B, 1, 8, 8)),
    "pggan_g": (dict(z_dim=4, channels=(4,)), _z(4), (B, 1, 4, 4)),
    "pggan_d": (dict(channels=(4,)), _x(1, 4), (B,)),
    "stylegan_g": (dict(z_dim=4, w_dim=4, channels=(4, 4), map_layers=1), _z(4), (B, 1, 8, 8)),
    "sgan_d": (dict(n_classes=3, in_shape=(1, 6, 6), hidden=(8,)), _x(1, 6), (B, 3)),
    "stargan_g": (dict(n_domains=3, ngf=4, n_res=1, size=8), _xy(1, 8, 3), (B, 1, 8, 8)),
    "stargan_d": (dict(n_domains=3, ndf=4, n_layers=2, size=8), _x(1, 8), (B, 1 * 2 * 2 + 3)),
    "singan_g": (dict(nfc=4), lambda: (_x(3, 12)()[0], _x(3, 12)()[0]), (B, 3, 12, 12)),
    "singan_d": (dict(nfc=4), _x(3, 16), (B, 1, 6, 6)),
}


def test_every_model_has_a_tiny_config():
    assert set(TINY) == set(gc.models.REGISTRY)


def _build(name):
    kwargs, inputs, shape = TINY[name]
    torch.manual_seed(0)
    return gc.models.build(name, **kwargs), inputs, shape


@pytest.mark.parametrize("name", sorted(TINY))
def test_forward_shape_and_backward(name):
    model, inputs, shape = _build(name)
    model.train()
    out = model(*inputs())
    if isinstance(out, tuple):  # 머리가 여럿인 모델 (StarGAN 판별자: 점수 지도, 영역 로짓)
        out = torch.cat([o.flatten(1) for o in out if o is not None], 1)
    if shape is not None:
        assert tuple(out.shape) == shape
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    for pname, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and torch.isfinite(p.grad).all(), pname


@pytest.mark.parametrize("name", sorted(TINY))
def test_save_load_roundtrip(name, tmp_path):
    model, inputs, _ = _build(name)
    model.eval()
    args = inputs()
    want = model(*args)
    path = gc.checkpoint.save(tmp_path / f"{name}.pt", model, name)
    torch.manual_seed(1)
    other, _, _ = _build(name)
    with torch.no_grad():  # 다른 가중치에서 시작해 읽은 뒤 같은 출력인가
        for p in other.parameters():
            p.add_(1.0)
    gc.checkpoint.load(path, other, name)
    other.eval()
    torch.testing.assert_close(other(*args), want)


def test_unknown_model_name_is_korean():
    with pytest.raises(gc.errors.GanBookError, match="모델"):
        gc.models.build("no_such_model")
