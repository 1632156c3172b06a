"""한국어 오류 메시지(영어 용어 병기)와 텐서 모양 검사."""

from __future__ import annotations

from collections.abc import Sequence


class GanBookError(ValueError):
    """책의 코드가 잘못된 입력을 만났을 때 내는 오류. 메시지는 한국어 + 영어 용어."""


class TrainingDiverged(RuntimeError):
    """학습이 발산(diverged)해 손실이 NaN/inf가 되었을 때."""


def unknown_name(kind: str, name: str, valid: Sequence[str]) -> GanBookError:
    """모르는 이름(unknown name)에 대한 오류: 쓸 수 있는 이름을 나열한다."""
    names = ", ".join(sorted(valid))
    return GanBookError(
        f"알 수 없는 {kind} 이름(unknown {kind}): {name!r}. 쓸 수 있는 이름: {names}"
    )


def check_shape(x, shape: Sequence[int | None], what: str = "입력") -> None:
    """`x.shape`가 `shape`와 맞는지 본다. None은 아무 크기나 허용한다.

    stylegan2-ada의 `assert_shape`처럼, 깊은 torch 오류 대신 읽을 수 있는 메시지를 낸다.
    """
    got = tuple(x.shape)
    want = tuple(shape)
    ok = len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want))
    if not ok:
        pretty = "(" + ", ".join("*" if w is None else str(w) for w in want) + ")"
        raise GanBookError(
            f"{what}의 텐서 모양(tensor shape)이 맞지 않습니다: {got}을(를) 받았지만 "
            f"{pretty} 모양이어야 합니다."
        )
