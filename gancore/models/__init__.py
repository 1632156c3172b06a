"""모델 레지스트리: 모델 계열마다 파일 하나, 이름으로 만든다.

G = models.build("mlp_g", z_dim=64, out_shape=(1, 28, 28))
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from ..errors import unknown_name
from . import mlp

REGISTRY: dict[str, Callable[..., nn.Module]] = {
    "mlp_g": mlp.MLPGenerator,
    "mlp_d": mlp.MLPDiscriminator,
}


def register(name: str, ctor: Callable[..., nn.Module]) -> None:
    """레지스트리에 모델 생성 함수를 올린다 (각 모델 파일이 부른다)."""
    REGISTRY[name] = ctor


def build(name: str, **kwargs) -> nn.Module:
    """이름으로 모델을 만든다. 모르는 이름이면 쓸 수 있는 이름을 알려 준다."""
    if name not in REGISTRY:
        raise unknown_name("모델(model)", name, REGISTRY)
    return REGISTRY[name](**kwargs)


def n_params(model: nn.Module) -> int:
    """학습되는 파라미터 수."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
