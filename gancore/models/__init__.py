"""모델 레지스트리: 모델 계열마다 파일 하나, 이름으로 만든다.

각 모델 파일은 `MODELS = {"이름": 생성 함수, …}`를 내보내고, 이 패키지가 처음 쓰일 때 모두 모은다.

    G = models.build("mlp_g", z_dim=64, out_shape=(1, 28, 28))
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from torch import nn

from ..errors import unknown_name


def _collect() -> dict[str, Callable[..., nn.Module]]:
    reg: dict[str, Callable[..., nn.Module]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        reg.update(getattr(mod, "MODELS", {}))
    return reg


REGISTRY: dict[str, Callable[..., nn.Module]] = _collect()


def build(name: str, **kwargs) -> nn.Module:
    """이름으로 모델을 만든다. 모르는 이름이면 쓸 수 있는 이름을 알려 준다."""
    if name not in REGISTRY:
        raise unknown_name("모델(model)", name, REGISTRY)
    return REGISTRY[name](**kwargs)


def n_params(model: nn.Module) -> int:
    """학습되는 파라미터 수."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
