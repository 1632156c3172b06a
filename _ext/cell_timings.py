"""강사용 표: 커밋된(quick 모드로 실행된) 장 노트북에 기록된 셀 실행 시간으로 빌드할 때 만든다.

nbclient는 ``record_timing``(기본값)이 켜져 있으면 셀마다 ``metadata.execution``에
``iopub.execute_input``과 ``shell.execute_reply`` 시각을 남긴다. 두 시각의 차이가 그 셀의 실행 시간이다.
표의 숫자는 손으로 쓰지 않는다: 노트북을 다시 실행해 커밋하면 표도 바뀐다.

MyST에서::

    ```{cell-timings} book/02_gan.ipynb
    :min-seconds: 5
    ```

장 하나의 표(설명, 초, 누적)를 만든다. 인자를 여러 개 주면 장마다 한 줄 요약(셀 수, 합계, 가장 긴 셀)을 만든다.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent.parent


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _label(source: str) -> str:
    """셀을 가리키는 한 줄: 첫 주석이 있으면 주석, 없으면 첫 코드 줄."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith("#"):
            return ln.lstrip("# ").strip()[:70]
    return (lines[0] if lines else "(빈 셀)")[:70]


def cell_timings(path: Path) -> list[dict]:
    """노트북의 코드 셀마다 {index, label, seconds, tags} (기록이 없는 셀은 seconds=None)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        ex = c.get("metadata", {}).get("execution", {})
        sec = None
        if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
            sec = (
                _when(ex["shell.execute_reply"]) - _when(ex["iopub.execute_input"])
            ).total_seconds()
        out.append(
            {
                "index": i,
                "label": _label("".join(c["source"])),
                "seconds": sec,
                "tags": c.get("metadata", {}).get("tags", []),
            }
        )
    return out


def _table(header: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["cell-timings"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    thead = nodes.thead()
    group += thead
    body = nodes.tbody()
    group += body
    for target, cells in [(thead, header), *[(body, r) for r in rows]]:
        row = nodes.row()
        for text in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            row += entry
        target += row
    return table


class CellTimings(SphinxDirective):
    required_arguments = 1
    optional_arguments = 20
    option_spec = {"min-seconds": directives.nonnegative_int}

    def run(self):
        paths = [ROOT / a for a in self.arguments]
        for p in paths:
            self.env.note_dependency(str(p))
        if len(paths) == 1:
            return [self._chapter(paths[0])]
        return [self._summary(paths)]

    def _chapter(self, path: Path):
        least = self.options.get("min-seconds", 5)
        cells = [c for c in cell_timings(path) if "remove-cell" not in c["tags"]]
        timed = [c for c in cells if c["seconds"] is not None]
        rows, total = [], 0.0
        for c in timed:
            total += c["seconds"]
            if c["seconds"] >= least:
                rows.append([c["label"], f"{c['seconds']:.0f}", f"{total / 60:.1f}"])
        if not timed:
            return nodes.paragraph(text=f"{path.name}: 기록된 실행 시간이 없습니다.")
        rows.append([f"보이는 코드 셀 {len(timed)}개 전체", f"{total:.0f}", f"{total / 60:.1f}"])
        return _table(["셀 (첫 주석이나 첫 줄)", "초", "누적(분)"], rows, [70, 10, 10])

    def _summary(self, paths: list[Path]):
        rows = []
        for p in paths:
            timed = [c for c in cell_timings(p) if c["seconds"] is not None]
            if not timed:
                rows.append([p.stem, "0", "기록 없음", ""])
                continue
            longest = max(timed, key=lambda c: c["seconds"])
            total = sum(c["seconds"] for c in timed)
            rows.append(
                [p.stem, str(len(timed)), f"{total / 60:.1f}", f"{longest['seconds']:.0f} 초"]
            )
        return _table(["장", "코드 셀", "전체(분)", "가장 긴 셀"], rows, [30, 10, 10, 15])


def setup(app: Sphinx):
    app.add_directive("cell-timings", CellTimings)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
