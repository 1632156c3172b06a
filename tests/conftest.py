"""공통 픽스처. 테스트는 CPU에서, 적은 스레드로, 인터넷 없이 돈다.

브라우저 픽스처 (tests/test_site.py와 다른 사이트 테스트가 쓴다)

- ``site_dir`` (session): 빌드된 사이트 ``_build/html``의 Path. ``index.html``이 없으면
  ``jupyter-book build -W -n --keep-going .``으로 한 번 빌드한다(xdist 작업자끼리는 파일 잠금으로
  한 번만). 빌드는 ``npm ci``로 설치한 ``node_modules``가 있어야 한다(``_ext/offline_assets.py``).
- ``site_url`` (session): ``site_dir``을 내주는 127.0.0.1 HTTP 서버의 주소, 끝에 ``/`` 없음
  (예: ``http://127.0.0.1:40123``). 페이지는 ``f"{site_url}/book/05_dcgan.html"``.
- ``browser`` (session): Playwright ``Browser`` — Debian의 ``/usr/bin/chromium``(환경 변수
  ``GANBOOK_CHROMIUM``로 바꿈)을 headless로 띄운다. chromium이나 playwright가 없으면 CI가 아닐 때만
  skip하고, ``CI``가 설정되어 있으면 실패한다.
- ``new_page`` (function): 팩토리 ``new_page(width=1280, height=900) -> Page``. 새 브라우저
  컨텍스트(그 너비의 viewport, 한국어 로캘)에서 연 Playwright ``Page``를 돌려준다. 127.0.0.1이 아닌
  모든 요청은 ``route.abort()``로 막힌다. 페이지에 붙는 기록(list):

  - ``page.console_errors``: 콘솔 ``error`` 메시지와 페이지의 잡히지 않은 예외(문자열)
  - ``page.external_requests``: 사이트 밖으로 나가려던 요청 URL (막혔지만 기록됨)
  - ``page.failed_requests``: 실패한 요청 ``"URL (이유)"``와 상태 400 이상 응답 ``"URL 404"``

  테스트가 끝나면 컨텍스트를 닫는다.
"""

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("GANBOOK_MODE", "quick")

ROOT = Path(__file__).resolve().parent.parent
BUILD_CMD = ["jupyter-book", "build", "-W", "-n", "--keep-going", "."]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: 몇 분 걸리는 테스트 (새 가상 환경에서 장 실행 등)")


@pytest.fixture(autouse=True)
def _seed():
    import torch

    torch.manual_seed(0)
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # pretrain 도구의 --threads가 다음 테스트로 새지 않게


# pytest-xdist로 두 작업자가 함께 돌 때, 각자(와 nbval이 띄우는 커널)가 코어 하나씩 쓰게 한다.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"


def _missing(what: str):
    """CI에서는 실패, 개발자의 기계에서는 skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI에서는 .ci/run이 설치합니다)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """빌드된 사이트 폴더. 없으면 README의 빌드 명령으로 만든다."""
    from filelock import FileLock

    html = ROOT / "_build" / "html"
    (ROOT / "_build").mkdir(exist_ok=True)
    with FileLock(str(ROOT / "_build" / ".site-build.lock")):
        if not (html / "index.html").exists():
            jb = Path(sys.executable).with_name("jupyter-book")
            cmd = [str(jb) if jb.exists() else BUILD_CMD[0], *BUILD_CMD[1:]]
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, (
                f"사이트 빌드 실패:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - 테스트 출력을 조용히
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    """site_dir을 127.0.0.1의 빈 포트에서 내준다."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """인터넷 없이 쓰는 headless Chromium (Debian 패키지). 프로필은 Playwright가 매번 새로 만든다."""
    exe = os.environ.get("GANBOOK_CHROMIUM", "/usr/bin/chromium")
    if not Path(exe).exists() and not shutil.which(exe):
        _missing(f"chromium이 없습니다: {exe} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright가 없습니다 (pip install -r requirements.txt)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _is_local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


@pytest.fixture
def new_page(browser):
    """new_page(width=1280, height=900) -> 바깥 요청이 막힌 새 Page (기록은 모듈 docstring)."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        ctx = browser.new_context(
            viewport={"width": width, "height": height},
            locale="ko-KR",
            service_workers="block",
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(
            120_000
        )  # 느린(바쁜) 기계에서도: 위젯 관리자와 MathJax는 수 MB의 JS
        page.console_errors = []
        page.external_requests = []
        page.failed_requests = []

        def route(r):
            if _is_local(r.request.url):
                r.continue_()
            else:
                page.external_requests.append(r.request.url)
                r.abort("blockedbyclient")

        ctx.route("**/*", route)
        page.on(
            "console",
            lambda m: m.type == "error" and page.console_errors.append(f"console: {m.text}"),
        )
        page.on("pageerror", lambda e: page.console_errors.append(f"pageerror: {e}"))
        page.on(
            "requestfailed",
            lambda r: page.failed_requests.append(f"{r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and page.failed_requests.append(f"{r.url} {r.status}"),
        )
        return page

    yield make
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()
