"""gancore — 『GAN부터 SinGAN까지』의 장들이 함께 쓰는 작은 라이브러리.

가져오기(import)는 가볍고 조용하다: torch 등 무거운 모듈은 하위 모듈을 처음 쓸 때 읽는다.

    import gancore as gc
    data = gc.data.load("mnist5k")
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "attributes",
    "checkpoint",
    "data",
    "divergences",
    "errors",
    "export",
    "games",
    "latent",
    "losses",
    "metrics",
    "models",
    "plot",
    "report",
    "runtime",
    "semi",
    "toy",
    "train",
    "transport",
    "widgets",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gancore' has no attribute {name!r}")
