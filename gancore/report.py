"""결과를 본문에 잇는 도우미: 셀이 계산한 값을 글(glue)로 붙이고, 시드 여럿의 평균 ± 표준편차를 쓴다.

본문의 결과 숫자는 모두 셀이 계산한 값이다: 셀에서 `glue("ch02_cfid", m["cfid"])`, 본문에서
``{glue:text}`ch02_cfid:.1f` `` (Jupyter Book이 저장된 출력에서 채운다). 다시 실행하면 숫자도 함께 바뀐다.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import GanBookError

# myst-nb의 glue와 같은 형식 (myst_nb.ext.glue): Colab처럼 myst-nb가 없는 곳에서도 같은 출력을 남긴다
_PREFIX = "application/papermill.record/"


def glue(name: str, value, display: bool = False) -> None:
    """값 하나를 이름으로 노트북 출력에 붙인다 (myst-nb `glue`와 같은 출력; 본문은 `{glue:text}`로 읽는다)."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    if not name or not name.replace("_", "").isalnum():
        raise GanBookError(f"glue 이름은 영문자·숫자·밑줄만 씁니다(invalid glue name): {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    bundle, meta = format_display_data(value)
    prefix = "" if display else _PREFIX
    meta["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=meta)


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """시드 여럿의 값 → (평균, 표본 표준편차 ddof=1). 값이 하나면 표준편차는 nan."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) == 0:
        raise GanBookError(f"값의 목록(1-D)이 필요합니다(got shape {v.shape}).")
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def fmt_mean_sd(values: Sequence[float], digits: int = 1) -> str:
    """'평균 ± 표준편차 (시드 n개)' 문자열."""
    m, s = mean_sd(values)
    return f"{m:.{digits}f} ± {s:.{digits}f} (시드 {len(values)}개)"
