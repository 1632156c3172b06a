"""사이트가 인터넷 없이 돌게 한다: 브라우저 라이브러리를 CDN 대신 사이트 안에서 내준다.

- MathJax 3, require.js, Jupyter 위젯 관리자(@jupyter-widgets/html-manager)를 ``npm ci``가 설치한
  ``node_modules``(버전은 ``package.json``/``package-lock.json``에 고정)에서 빌드 결과의
  ``_vendor/<이름>/``으로 복사한다. ``_static/``에 두지 않는 것은 Jupyter Book이 ``_static``의 모든
  ``.js``를 모든 페이지에 붙이기 때문이다.
- ``mathjax_path``와 myst-nb의 ``nb_ipywidgets_js``를 그 복사본으로 바꾼다.
- sphinx-thebe가 두 번 넣는 설정 스크립트(``THEBE_JS_URL``, unpkg 주소)를 뺀다: 이 책은 thebe를 켜지
  않으므로(실행 버튼은 Colab) 그 스크립트는 쓰이지 않고, 바깥 주소만 남긴다.
- 테마의 한국어 "By" 번역("으로")이 꼬리말을 "으로 … 저자들"로 만드는 것을 "지은이: …"로 고친다.
- matplotlib ``to_jshtml`` 출력이 CDN에서 부르는 Font Awesome 4 CSS 링크를 뺀다(테마의 아이콘이 그린다).
- 위젯 관리자가 글꼴을 사이트 안의 복사본에서 찾게 하고, 테마의 기본 모드를 정해 콘솔 오류를 없앤다.

다른 확장이 파일을 더 실으려면 ``VENDOR``에 항목을 더한다(출력 폴더 이름 → node_modules 안 경로와
뺄 glob 목록).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = "_vendor"

# 출력 폴더 이름 → (node_modules 안의 폴더, 복사하지 않을 glob들)
VENDOR: dict[str, tuple[str, tuple[str, ...]]] = {
    "mathjax": (
        "mathjax/es5",
        # 이 책은 tex-mml-chtml.js 하나만 쓴다. 나머지 묶음 파일은 각 2 MB 안팎이라 뺀다.
        (
            "mml-*.js",
            "tex-chtml*.js",
            "tex-svg*.js",
            "tex-mml-svg.js",
            "node-main.js",
            "output/svg",
        ),
    ),
    "html-manager": ("@jupyter-widgets/html-manager/dist", ("*.map", "embed.js", "embed.js.*")),
    "requirejs": ("requirejs", ("bin", "*.md", "package.json")),
}
MATHJAX_PATH = f"../{VENDOR_DIR}/mathjax/tex-mml-chtml.js"  # _static/ 기준 상대 경로
REQUIRE_JS = f"../{VENDOR_DIR}/requirejs/require.js"
EMBED_AMD_JS = f"../{VENDOR_DIR}/html-manager/embed-amd.js"


def _source(name: str) -> Path:
    src = NODE_MODULES / VENDOR[name][0]
    if not src.exists():
        raise ExtensionError(
            f"{src}가 없습니다. 저장소 루트에서 `npm ci`를 실행하세요 "
            "(README의 첫 명령이 합니다; package-lock.json에 고정된 버전을 설치)."
        )
    return src


def _config_inited(app: Sphinx, config) -> None:
    for name in VENDOR:
        _source(name)
    config.mathjax_path = MATHJAX_PATH
    # 위젯 관리자가 묶음에 없는 모듈을 찾을 주소도 사이트 안으로 (이 책의 위젯은 모두 묶음 안에 있다)
    config.nb_ipywidgets_js = {
        REQUIRE_JS: {},
        EMBED_AMD_JS: {"data-jupyter-widgets-cdn": f"{VENDOR_DIR}/npm/"},
    }


def _copy_vendor(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / VENDOR_DIR
    for name, (_, skip) in VENDOR.items():
        dest = out / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(_source(name), dest, ignore=shutil.ignore_patterns(*skip))


# matplotlib의 to_jshtml 출력은 단추 아이콘용 Font Awesome 4 CSS를 CDN에서 부른다. 테마가 이미 싣는
# Font Awesome(사이트 안의 fontawesome.js)이 같은 <i class="fa fa-play"> 아이콘을 그리므로 링크만 뺀다.
FA4_LINK = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]+">\s*'
)


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # pydata 테마는 기본 모드(default_mode)가 비어 있으면 페이지마다 콘솔 오류("Got invalid theme mode")를
    # 낸다(sphinx-book-theme는 그 옵션을 받지 않는다). 그림이 흰 바탕이므로 밝은 모드를 기본으로 한다.
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    if "body" in context:
        context["body"] = FA4_LINK.sub("", context["body"])
    # sphinx-thebe의 설정 스크립트(두 번 들어감)와 바깥 주소를 뺀다
    scripts = context.get("script_files", [])
    keep = []
    for js in scripts:
        body = getattr(js, "attributes", {}).get("body", "") if hasattr(js, "attributes") else ""
        name = str(js)
        if "THEBE_JS_URL" in body or name.endswith("sphinx-thebe.js") or "thebe@" in name:
            continue
        keep.append(js)
    scripts[:] = keep
    css = context.get("css_files", [])
    css[:] = [c for c in css if "sphinx-thebe" not in str(c)]

    translate = context.get("translate")
    if callable(translate) and not getattr(translate, "_ganbook", False):

        def fixed(message, *args, **kwargs):
            if message == "By":
                return "지은이:"
            return translate(message, *args, **kwargs)

        fixed._ganbook = True
        context["translate"] = fixed


# 위젯 관리자(embed-amd.js) 안의 AMD 모듈들(@jupyter-widgets/html-manager/dist/libembed-amd, base, controls,
# base7, controls7)은 글꼴 파일(Font Awesome)의 주소를 저마다 자기 requirejs 모듈 주소에서 얻는다: 그대로 두면
# 페이지 폴더 아래 "@jupyter-widgets/…"를 찾아 404가 난다(브라우저가 그 글꼴을 쓸 때만 불러서 가끔만 보인다).
# require.js가 읽기 전에 전역 ``require`` 설정 객체로 "@jupyter-widgets" 경로 전체를 사이트의 복사본에 잇는다
# (data-content_root: 페이지 → 사이트 루트). 글꼴 파일은 모두 그 폴더 바로 아래에 있다.
ASSETS_PATH_JS = (
    "(function () { var base = new URL((document.documentElement.dataset.content_root || '') + "
    f"'{VENDOR_DIR}/html-manager/', document.baseURI).href; "
    "window.__jupyter_widgets_assets_path__ = base; var dir = base.replace(/\\/$/, ''); "
    "if (typeof window.require === 'undefined') { window.require = "
    "{ paths: { '@jupyter-widgets': dir, '@jupyter-widgets/html-manager/dist': dir } }; } })();"
)


def setup(app: Sphinx):
    app.add_js_file(None, body=ASSETS_PATH_JS, priority=100)
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("build-finished", _copy_vendor)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
