"""체크포인트(checkpoint) 저장/읽기: 모델 이름과 설정을 함께 적어 두고, 다른 모델의 것이면 거절한다."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TypeVar

import torch
from torch import nn

from .errors import GanBookError

T = TypeVar("T")


def save(path: str | Path, model: nn.Module, name: str, config=None, **extra) -> Path:
    """model의 가중치를 `name`(모델 이름)과 `config`(dataclass 또는 dict)와 함께 저장한다."""
    cfg = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else (config or {})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"model_name": name, "config": cfg, "state_dict": model.state_dict(), "extra": extra}, path
    )
    return path


def read(path: str | Path) -> dict:
    """gancore가 저장한 체크포인트 파일을 읽어 그대로 돌려준다 (가중치는 아직 어디에도 싣지 않는다).

    파일이 없거나, 읽을 수 없거나, gancore의 체크포인트가 아니면 한국어 오류를 낸다.
    """
    path = Path(path)
    if not path.exists():
        raise GanBookError(f"체크포인트 파일이 없습니다(checkpoint not found): {path}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:
        raise GanBookError(
            f"체크포인트를 읽지 못했습니다(cannot read checkpoint) {path}: {e}"
        ) from None
    if not isinstance(ckpt, dict) or "model_name" not in ckpt:
        raise GanBookError(
            f"gancore가 저장한 체크포인트가 아닙니다(not a gancore checkpoint): {path}"
        )
    return ckpt


def load(path: str | Path, model: nn.Module, name: str) -> dict:
    """저장된 가중치를 model에 읽어 들이고, 저장된 설정과 부가 정보를 돌려준다.

    체크포인트의 모델 이름이 `name`과 다르거나 가중치 모양이 맞지 않으면 한국어 오류를 낸다.
    """
    return load_state(read(path), model, name)


def load_state(ckpt: dict, model: nn.Module, name: str) -> dict:
    """`read`로 읽은 체크포인트의 가중치를 model에 싣는다 (`load`와 같은 검사)."""
    if ckpt["model_name"] != name:
        raise GanBookError(
            f"다른 모델의 체크포인트입니다(checkpoint from another model): 파일은 "
            f"{ckpt['model_name']!r}, 요청한 모델은 {name!r}입니다."
        )
    own = model.state_dict()
    bad = [k for k, v in ckpt["state_dict"].items() if k not in own or own[k].shape != v.shape]
    missing = [k for k in own if k not in ckpt["state_dict"]]
    if bad or missing:
        raise GanBookError(
            f"체크포인트의 가중치 모양이 모델과 맞지 않습니다(shape mismatch): 설정이 다른 {name!r}일 수 "
            f"있습니다. 저장된 설정: {ckpt['config']}. 맞지 않는 키: {(bad + missing)[:5]}"
        )
    model.load_state_dict(ckpt["state_dict"])
    return {"config": ckpt["config"], "extra": ckpt.get("extra", {})}


def as_config(stored: dict, cls: type[T]) -> T:
    """체크포인트에 dict로 저장된 설정을 dataclass `cls`로 되살린다.

    저장한 뒤에 `cls`에 새로 생긴 필드는 기본값을 받고(기본값은 그 필드가 생기기 전의 동작),
    리스트는 튜플로 되돌린다. `cls`에 없는 키가 있으면 다른 설정의 체크포인트이므로 거절한다.
    """
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(stored) - names)
    if unknown:
        raise GanBookError(
            f"저장된 설정에 {cls.__name__}에 없는 키가 있습니다(unknown config keys): {unknown}"
        )
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()})
