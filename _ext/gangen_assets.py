"""브라우저 속 생성자: 사이트를 빌드할 때 커밋된 체크포인트에서 ONNX 모델과 잠재 벡터 JSON을 만든다.

- ``gancore.export.write_site_assets``가 ``gancore/assets/*.pt``에서 ``<이름>.onnx``와 ``<이름>.json``을
  ``_build/gangen_extra/gangen/models/``에 쓴다. 체크포인트와 ``gancore/export.py``가 그대로이면
  (SHA-256이 같으면) 다시 만들지 않는다.
- onnxruntime-web(``package.json``에 고정, ``npm ci``가 설치)의 단일 스레드 WASM 파일 세 개를
  ``node_modules``에서 ``gangen/ort/``로 복사한다.
- 그 폴더와 ``book/_extra``(블록을 그리는 ``gangen/gangen.js``, ``gangen.css``)를 ``html_extra_path``에
  더한다: 사이트의 ``gangen/``에 실린다. ``_static/``이 아닌 것은 Jupyter Book이 ``_static``의 모든
  ``.js``를 모든 페이지에 붙이기 때문이다.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parent.parent
EXTRA = ROOT / "book" / "_extra"
ORT_DIST = ROOT / "node_modules" / "onnxruntime-web" / "dist"
# 단일 스레드 WASM 백엔드에 필요한 것만: UMD 묶음(전역 `ort`), WASM 본체, 그 로더
ORT_FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs")
logger = logging.getLogger(__name__)


def _stamp(models: dict[str, Path]) -> str:
    h = hashlib.sha256()
    for p in [*models.values(), ROOT / "gancore" / "export.py", ORT_DIST.parent / "package.json"]:
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.exists() else b"-")
    return h.hexdigest()


def build_assets(out_root: Path) -> Path:
    """``out_root/gangen/``에 모델·JSON·onnxruntime-web 파일을 두고 out_root를 돌려준다."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from gancore import export

    models = {k: p for k, p in export.SITE_MODELS.items() if p.exists()}
    for k, p in export.SITE_MODELS.items():
        if k not in models:
            logger.warning(f"브라우저 생성자: 체크포인트가 없어 {k} 블록이 동작하지 않습니다: {p}")
    missing = [f for f in ORT_FILES if not (ORT_DIST / f).exists()]
    if missing:
        raise ExtensionError(
            f"onnxruntime-web 파일이 없습니다({', '.join(missing)}). 저장소 루트에서 `npm ci`를 "
            "실행하세요 (README의 첫 명령이 합니다; package-lock.json에 고정된 버전을 설치)."
        )
    gen = out_root / "gangen"
    stamp_file = out_root.with_suffix(".stamp")  # 사이트에 실리지 않도록 폴더 밖에
    stamp = _stamp(models)
    if not (stamp_file.exists() and stamp_file.read_text() == stamp):
        if gen.exists():
            shutil.rmtree(gen)
        (gen / "ort").mkdir(parents=True)
        written = export.write_site_assets(gen / "models", models)
        for f in ORT_FILES:
            shutil.copy2(ORT_DIST / f, gen / "ort" / f)
        sizes = {p.name: p.stat().st_size for p in written}
        (gen / "models" / "manifest.json").write_text(json.dumps(sizes), encoding="utf-8")
        stamp_file.write_text(stamp)
        logger.info(f"브라우저 생성자: {', '.join(f'{k} {v:,} B' for k, v in sizes.items())}")
    return out_root


def _pairs(app: Sphinx):
    """(원본, 사이트의 자리) 쌍: book/_extra/gangen/과 만든 gangen/의 모든 파일."""
    out = Path(app.outdir)
    for root in (EXTRA, Path(app.outdir).parent / "gangen_extra"):
        for src in sorted((root / "gangen").rglob("*")):
            if src.is_file():
                yield src, out / src.relative_to(root)


def _same(a: Path, b: Path) -> bool:
    return b.exists() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _config_inited(app: Sphinx, config) -> None:
    out_root = build_assets(Path(app.outdir).parent / "gangen_extra")
    # 내용이 바뀐 지난 사본은 지운다: Sphinx가 덮어쓰며 내는 경고(copy_overwrite)를 피한다 (끝에 다시 싣는다)
    for src, dest in _pairs(app):
        if dest.exists() and not _same(src, dest):
            dest.unlink()
    extra = list(config.html_extra_path or [])
    for p in (str(EXTRA), str(out_root)):
        if p not in extra and str(Path(p).relative_to(ROOT)) not in extra:
            extra.append(p)
    config.html_extra_path = extra


def _build_finished(app: Sphinx, exception) -> None:
    # 바뀐 문서가 없는 빌드는 html_extra_path를 복사하지 않는다: 그때도 gangen/이 원본과 같게
    if exception is not None or app.builder.format != "html":
        return
    for src, dest in _pairs(app):
        if not _same(src, dest):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)


def setup(app: Sphinx):
    app.connect("config-inited", _config_inited)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
