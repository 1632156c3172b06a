"""브라우저 속 생성자 (book/_extra/gangen/gangen.js): 실제 headless Chromium에서, 인터넷 없이.

- 5장·4장·13장 페이지가 콘솔 오류 없이 열리고, 슬라이더를 움직이면 캔버스가 바뀐다.
- 충실도: 같은 z에서 브라우저가 그린 화소가 torch의 화소와 2/255 안 (슬라이더 세 위치, 이 테스트가 torch 쪽을 계산한다).
- 첫 그림까지의 시간과 슬라이더 한 단계의 시간을 재서 출력하고 `_build/gangen_times.json`에 남긴다
  (목표: 첫 그림 ≤ 2초, 한 단계 ≤ 50 ms. 기계의 부하에 따라 크게 흔들리므로 시간으로 실패시키지는 않는다).
- WebAssembly가 없으면 한국어 안내가 나온다.

픽스처 `site_dir`, `site_url`, `new_page`는 tests/conftest.py에 있다.
"""

import json
import statistics
from pathlib import Path

import pytest
import torch

from gancore import export, latent

ROOT = Path(__file__).resolve().parent.parent
TIMES = ROOT / "_build" / "gangen_times.json"
WAIT_MS = 120_000  # 부하가 큰 기계에서도 첫 그림을 기다린다 (목표는 2초; 잰 값은 출력한다)


def _site_data(site_dir: Path, stem: str) -> dict:
    data = json.loads((site_dir / "gangen" / "models" / f"{stem}.json").read_text(encoding="utf-8"))
    ckpt = export.SITE_MODELS[stem]
    assert data["meta"]["sha256"] == export.sha256(ckpt), (
        f"사이트의 {stem} 모델이 지금의 체크포인트와 다릅니다: 사이트를 다시 빌드하세요 (jupyter-book build .)"
    )
    return data


def _pixels(page, role: str) -> torch.Tensor:
    """캔버스의 회색조 화소 (n, 28, 28) uint8 (한 줄 격자를 이미지마다 자른다)."""
    w, h, flat = page.evaluate(
        """role => { const c = document.querySelector(`canvas[data-role="${role}"]`);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const g = []; for (let i = 0; i < d.length; i += 4) g.push(d[i]); return [c.width, c.height, g]; }""",
        role,
    )
    img = torch.tensor(flat, dtype=torch.uint8).view(h, w)
    return img.view(h // 28, 28, w // 28, 28).permute(0, 2, 1, 3).reshape(-1, 28, 28)


def _version(page, role: str) -> int:
    v = page.get_attribute(f'canvas[data-role="{role}"]', "data-version")
    return int(v or 0)


def _set(page, role: str, value, event: str = "input") -> None:
    """슬라이더/선택 상자의 값을 바꾸고 사용자가 움직인 것처럼 이벤트를 보낸다."""
    page.evaluate(
        """([role, value, ev]) => { const e = document.querySelector(`[data-role="${role}"]`);
        e.value = String(value); e.dispatchEvent(new Event(ev, {bubbles: true})); }""",
        [role, value, event],
    )


def _set_and_wait(page, role: str, value, canvas: str, event: str = "input") -> None:
    before = _version(page, canvas)
    _set(page, role, value, event)
    page.wait_for_function(
        '([c, v]) => Number(document.querySelector(`canvas[data-role="${c}"]`).dataset.version) > v',
        arg=[canvas, before],
        timeout=WAIT_MS,
    )


def _open(new_page, site_url: str, page_name: str, canvas: str):
    page = new_page()
    page.goto(f"{site_url}/book/{page_name}.html", wait_until="domcontentloaded", timeout=WAIT_MS)
    assert page.locator("div.gangen").count() == 1, f"{page_name}에 브라우저 생성자 블록이 없습니다"
    page.wait_for_selector(f'canvas[data-role="{canvas}"][data-version]', timeout=WAIT_MS)
    return page


def _record(name: str, values: dict) -> None:
    TIMES.parent.mkdir(exist_ok=True)
    old = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    old[name] = values
    TIMES.write_text(json.dumps(old, indent=1))
    print(f"\n{name}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in values.items()))


def _timings(page, block: str, steps: int, role: str, canvas: str, values) -> dict:
    for i in range(steps):  # 한 단계씩: 그림이 바뀔 때까지 기다린 뒤 다음 단계
        _set_and_wait(page, role, values[i % len(values)], canvas)
    g = page.evaluate("window.gangen")
    info = g["blocks"][block]
    nav = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
    )
    st = info["steps"][-steps:]
    return {
        "first_image_since_navigation": info["first"],
        "first_image_since_script": info["first"] - g["timings"]["script"],
        "model_ready_since_script": max(
            v for k, v in g["timings"].items() if k.startswith("session_")
        )
        - g["timings"]["script"],
        "dom_content_loaded": nav[0],
        "step_median": statistics.median(st),
        "step_max": max(st),
    }


# 이 블록과 상관없이 모든 페이지에 나는, 사이트 전체의 브라우저 테스트(이슈 12)가 잡는 것: 여기서는 알리기만 한다
SITE_WIDE = (
    "Got invalid theme mode",  # pydata-sphinx-theme: 저장된 밝기 모드가 없을 때
)


def _clean(page) -> None:
    """블록의 오류, 콘솔 오류, 바깥 요청, 실패한 요청이 없다 (SITE_WIDE의 것은 출력만 한다)."""
    assert page.evaluate("window.gangen.errors") == []
    site = [r for r in page.failed_requests if any(k in r for k in SITE_WIDE)]
    failed = [r for r in page.failed_requests if r not in site]
    console = [e for e in page.console_errors if not any(k in e for k in SITE_WIDE)]
    n_404 = sum(
        "Failed to load resource" in e for e in console
    )  # 그 요청들의 콘솔 기록 (주소 없이)
    console = [e for e in console if "Failed to load resource" not in e]
    if site or len(console) != len(page.console_errors):
        print(
            f"\n(사이트 전체의 문제, 이 블록 밖: {site[:2]} … {len(page.console_errors)}개의 콘솔 오류 중)"
        )
    assert n_404 <= len(site) + len(failed), page.console_errors
    assert console == [], console
    assert failed == [], failed
    assert page.external_requests == [], page.external_requests


def _time_and_shoot(page, chapter: str, block: str, role: str, canvas: str, values) -> None:
    """블록의 응답 시간을 재어 기록하고(`_record`), 블록의 스크린숏을 _build/screenshots/에 남긴 뒤 페이지를 닫는다."""
    _record(chapter, _timings(page, block, 10, role, canvas, values))
    (ROOT / "_build" / "screenshots").mkdir(parents=True, exist_ok=True)
    page.locator("div.gangen").screenshot(
        path=str(ROOT / "_build" / "screenshots" / f"gangen_{chapter}.png")
    )
    _clean(page)


def test_ch05_block_faithful_and_responsive(site_dir, site_url, new_page):
    data = _site_data(site_dir, "dcgan_mnist")
    G, _ = export.load_generator(export.SITE_MODELS["dcgan_mnist"])
    seeds = export.from_b64(data["seeds"])
    page = _open(new_page, site_url, "05_dcgan", "lerp")
    for role in ("slerp", "attr", "abc", "pool", "lerp-strip"):
        page.wait_for_selector(f'canvas[data-role="{role}"][data-version]', timeout=WAIT_MS)
    a, b = data["seeds_default"]

    # 슬라이더를 움직이면 그림이 바뀐다
    first = _pixels(page, "lerp")
    _set_and_wait(page, "t", 0.0, "lerp")
    assert not torch.equal(first, _pixels(page, "lerp"))

    # 충실도: t 세 위치에서 lerp와 slerp 모두
    z0, z1 = seeds[a], seeds[b]
    for t in (0.0, 0.35, 1.0):
        if t != 0.0:
            _set_and_wait(page, "t", t, "lerp")
        with torch.no_grad():
            want = export.to_pixels(
                G(torch.stack([latent.lerp(z0, z1, t), latent.slerp(z0, z1, t)]))
            )
        got = torch.cat([_pixels(page, "lerp"), _pixels(page, "slerp")])
        diff = (got.int() - want[:, 0].int()).abs().max().item()
        assert diff <= 2, (t, diff)
        for k, fn in (("lerp", latent.lerp), ("slerp", latent.slerp)):  # ‖z‖가 그림 옆에
            cap = page.text_content(f'[data-role="{k}-cap"]')
            assert abs(float(cap.split("=")[-1]) - fn(z0, z1, t).norm().item()) < 0.011, cap

    # 속성 벡터: 굵기 α = 2, 기울기 α = -1에서 8장 모두
    _set_and_wait(page, "alpha-thickness", 2, "attr")
    _set_and_wait(page, "alpha-slant", -1, "attr")
    v = {k: export.from_b64(data["attributes"][k]) for k in ("thickness", "slant")}
    z = export.from_b64(data["attr_z"]) + 2 * v["thickness"] - 1 * v["slant"]
    with torch.no_grad():
        want = export.to_pixels(G(z))[:, 0]
    assert (_pixels(page, "attr").int() - want.int()).abs().max() <= 2

    # A − B + C: A=5, B=3, C=9
    for role, i in (("pick-a", 5), ("pick-b", 3), ("pick-c", 9)):
        _set_and_wait(page, role, i, "abc", event="change")
    pool = export.from_b64(data["abc_pool"])
    with torch.no_grad():
        want = export.to_pixels(
            G(torch.stack([pool[5], pool[3], pool[9], pool[5] - pool[3] + pool[9]]))
        )
    assert (_pixels(page, "abc").int() - want[:, 0].int()).abs().max() <= 2

    _time_and_shoot(page, "ch05", "ch05-interp", "t", "lerp", [0.05 * i for i in range(1, 21)])


def test_ch04_block_faithful_and_responsive(site_dir, site_url, new_page):
    data = _site_data(site_dir, "cgan_mnist")
    G, _ = export.load_generator(export.SITE_MODELS["cgan_mnist"])
    seeds = export.from_b64(data["seeds"])
    page = _open(new_page, site_url, "04_cgan", "cgan")
    first = _pixels(page, "cgan")
    _set_and_wait(page, "digit", 3, "cgan", event="change")
    assert not torch.equal(first, _pixels(page, "cgan"))
    for s in (0, 17, 99):  # 시드 슬라이더 세 위치
        if page.input_value('[data-role="seed"]') != str(s):
            _set_and_wait(page, "seed", s, "cgan")
        z = seeds[s].expand(11, -1)
        y = torch.tensor([*range(10), 3])
        with torch.no_grad():
            want = export.to_pixels(G(z, y))[:, 0]
        got = torch.cat([_pixels(page, "cgan-row"), _pixels(page, "cgan")])
        diff = (got.int() - want.int()).abs().max().item()
        assert diff <= 2, (s, diff)
    _time_and_shoot(page, "ch04", "ch04", "seed", "cgan", list(range(1, 21)))


def test_ch13_block_faithful_and_responsive(site_dir, site_url, new_page):
    from gancore.models import stylegan as S
    from gancore.widgets.style import mixed_images

    data = _site_data(site_dir, "stylegan_mnist")
    G, _ = export.load_generator(export.SITE_MODELS["stylegan_mnist"])
    seeds, L = export.from_b64(data["seeds"]), data["num_ws"]
    page = _open(new_page, site_url, "13_stylegan", "style")
    page.wait_for_selector('canvas[data-role="style-row"][data-version]', timeout=WAIT_MS)
    first = _pixels(page, "style")
    _set_and_wait(page, "k", 1, "style")
    assert not torch.equal(first, _pixels(page, "style"))
    _set_and_wait(page, "k", data["k"], "style")
    # 충실도: 슬라이더 세 위치 (시드 A·B, ψ, k), 큰 그림과 k = 0…L의 한 줄 모두
    a0, b0 = data["seeds_default"]
    for a, b, psi, k in ((a0, b0, data["psi"], data["k"]), (a0, b0, 0.0, 2), (17, 42, 1.0, 6)):
        for role, v in (("seed-a", a), ("seed-b", b), ("psi", psi), ("k", k)):
            if float(page.input_value(f'[data-role="{role}"]')) != v:
                _set_and_wait(page, role, v, "style")
        want = export.to_pixels(S.crop28(mixed_images(G, seeds[a], seeds[b], psi, range(L + 1))))
        got = _pixels(page, "style-row")
        assert got.shape == (L + 1, 28, 28)
        diff = (got.int() - want[:, 0].int()).abs().max().item()
        assert diff <= 2, ((a, b, psi, k), diff)
        assert (_pixels(page, "style")[0].int() - want[k, 0].int()).abs().max() <= 2
        cap = page.text_content('[data-role="style-cap"]')
        assert f"ψ = {psi:.2f}, k = {k}" in cap, cap
    _time_and_shoot(page, "ch13", "ch13", "psi", "style", [0.05 * i for i in range(1, 21)])


@pytest.mark.parametrize("page_name", ["05_dcgan", "04_cgan", "13_stylegan"])
def test_no_webassembly_gives_korean_message(site_dir, site_url, new_page, page_name):
    page = new_page()
    page.add_init_script("delete window.WebAssembly;")
    page.goto(f"{site_url}/book/{page_name}.html", wait_until="domcontentloaded", timeout=WAIT_MS)
    msg = page.wait_for_selector("div.gangen .gangen-msg", timeout=WAIT_MS).text_content()
    assert "WebAssembly" in msg and "정적 그림" in msg, msg


def test_missing_worker_gives_korean_message(site_dir, site_url, new_page):
    """계산 작업자(gangen-worker.js)가 뜨지 못하면 멈추지 않고 한국어로 알린다."""
    page = new_page()
    page.route("**/gangen-worker.js", lambda route: route.fulfill(status=404, body="no"))
    page.goto(f"{site_url}/book/05_dcgan.html", wait_until="domcontentloaded", timeout=WAIT_MS)
    msg = page.wait_for_selector("div.gangen .gangen-msg", timeout=WAIT_MS).text_content()
    assert "생성자를 읽지 못했습니다" in msg and "정적 그림" in msg, msg
