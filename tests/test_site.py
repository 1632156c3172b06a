"""독자가 보는 사이트를 진짜 브라우저(headless Chromium, 인터넷 차단)로 연다.

모든 페이지를 데스크톱 너비(1280 px)와 휴대 전화 너비(390 px)에서 열어 콘솔 오류, 사이트 밖 요청,
그림, 수식 조판, 한글, 애니메이션 단추, 풀이 토글, 가로 넘침, Colab 링크를 확인하고, 한국어 검색이
조사가 붙은 낱말(판별자의, 생성자가)과 영어 복수형(discriminators)으로 그 낱말을 쓰는 모든 페이지에 닿는지 본다. 두 페이지의 화면을
``_build/screenshots/``에 저장한다. 픽스처는 tests/conftest.py.
"""

import html as htmllib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))
import notebooks as nbtool  # noqa: E402
import search_ko  # noqa: E402

WIDTHS = {"desktop": 1280, "phone": 390}
SCREENSHOTS = ROOT / "_build" / "screenshots"
SHOT_PAGES = ["book/03_hard_training.html", "book/05_dcgan.html"]
STATIC_NOTE = "정적 페이지에서는 슬라이더가 그림을 바꾸지 않습니다"

# 페이지가 다 그려질 때까지: MathJax 조판, 위젯 관리자, 이미지
READY_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  for (let i = 0; i < 100 && views.length; i++) {
    if (document.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets-view, .widget-box, .widget-inline-hbox').length) break;
    await new Promise(r => setTimeout(r, 100));
  }
  document.querySelectorAll('img[loading="lazy"]').forEach(img => img.loading = 'eager');
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(r => { img.onload = img.onerror = r; setTimeout(r, 5000); })));
  if (window.MathJax && MathJax.typesetPromise) await MathJax.typesetPromise();
  await new Promise(r => setTimeout(r, 200));
}"""

FACTS_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[role="main"]') || document.body;
  const maths = [...main.querySelectorAll('span.math, div.math')];
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    let a = e.parentElement, contained = false;
    while (a && a !== document.body) {
      const s = getComputedStyle(a);
      const ar = a.getBoundingClientRect();
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && ar.right <= vw + 1) { contained = true; break; }
      if (s.position === 'fixed' && ar.right <= vw + 1) { contained = true; break; }
      a = a.parentElement;
    }
    if (!contained) wide.push(`${e.tagName.toLowerCase()}.${String(e.className).slice(0, 40)} right=${Math.round(r.right)} near #${(e.closest('[id]') || {}).id}`);
    if (wide.length > 5) break;
  }
  return {
    scrollWidth: document.documentElement.scrollWidth, vw,
    maths: maths.length,
    typeset: maths.filter(m => m.querySelector('mjx-container')).length,
    rawTex: maths.filter(m => !m.querySelector('mjx-container')).slice(0, 3).map(m => m.textContent.slice(0, 60)),
    brokenImages: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 100)),
    images: document.images.length,
    hangul: /[\\uac00-\\ud7a3]/.test(main.innerText),
    colab: [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href),
    sliders: document.querySelectorAll('.cell_output .widget-slider').length,
    notes: [...document.querySelectorAll('.ganbook-static-note')].map(n => n.textContent),
    wide,
  };
}"""

PLAYERS_JS = """async () => {
  const out = [];
  for (const anim of document.querySelectorAll('.animation')) {
    const slider = anim.querySelector('input.anim-slider');
    const img = anim.querySelector('img');
    const next = anim.querySelector('button[title="Next frame"]');
    if (!slider || !next) { out.push({ok: false, why: 'no controls'}); continue; }
    const before = [Number(slider.value), img && img.src];
    next.click();
    await new Promise(r => setTimeout(r, 50));
    out.push({ok: Number(slider.value) === before[0] + 1 && (!img || img.src !== before[1]),
              max: Number(slider.max), before: before[0], after: Number(slider.value)});
  }
  return out;
}"""


def site_pages() -> list[str]:
    """목차의 모든 페이지와 색인·검색 페이지 (사이트 루트 기준 .html 경로)."""
    pages = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in nbtool.toc_files()]
    return [*pages, "genindex.html", "search.html"]


def test_every_built_page_is_checked(site_dir):
    built = {
        p.relative_to(site_dir).as_posix()
        for p in site_dir.rglob("*.html")
        if p.relative_to(site_dir).parts[0] not in ("_static", "_vendor", "_sources")
    }
    # index.html은 첫 페이지로 넘기는 한 줄짜리(meta refresh)
    unchecked = built - set(site_pages()) - {"index.html", "py-modindex.html", "prf-prf.html"}
    assert not unchecked, f"브라우저 테스트가 열지 않는 페이지: {sorted(unchecked)}"


def _open(new_page, site_url, path, width):
    page = new_page(width=width, height=900)
    page.goto(f"{site_url}/{path}", wait_until="load")
    page.evaluate(READY_JS)
    return page


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_page_in_the_browser(site_dir, site_url, new_page, width):
    repo = nbtool.repo_url().removeprefix("https://github.com/")
    problems = []
    for path in site_pages():
        page = _open(new_page, site_url, path, width)
        facts = page.evaluate(FACTS_JS)
        bad = []
        if page.console_errors:
            bad.append(f"콘솔 오류 {page.console_errors[:3]}")
        if page.external_requests:
            bad.append(f"사이트 밖 요청 {sorted(set(page.external_requests))[:3]}")
        if page.failed_requests:
            bad.append(f"실패한 요청 {page.failed_requests[:3]}")
        if facts["brokenImages"]:
            bad.append(f"안 뜬 그림 {facts['brokenImages'][:3]}")
        if facts["typeset"] != facts["maths"]:
            bad.append(f"수식 {facts['typeset']}/{facts['maths']}개만 조판 {facts['rawTex']}")
        if not facts["hangul"]:
            bad.append("한글이 없음")
        if width < 500 and (facts["wide"] or facts["scrollWidth"] > facts["vw"] + 1):
            bad.append(f"화면보다 넓음 (scrollWidth {facts['scrollWidth']}): {facts['wide']}")
        if facts["sliders"] and not any(STATIC_NOTE in n for n in facts["notes"]):
            bad.append("슬라이더가 있는 위젯에 정적 페이지 알림이 없음")
        if path.startswith("book/") and Path(ROOT / path).with_suffix(".ipynb").exists():
            want = f"https://colab.research.google.com/github/{repo}/blob/main/{Path(path).with_suffix('.ipynb')}"
            if want not in facts["colab"]:
                bad.append(f"Colab 링크 {facts['colab']} != {want}")
        players = page.evaluate(PLAYERS_JS)
        stuck = [p for p in players if not p["ok"]]
        if stuck:
            bad.append(
                f"애니메이션 {len(stuck)}/{len(players)}개가 다음 프레임으로 안 감 {stuck[:2]}"
            )
        closed = _solutions_that_do_not_open(page)
        if closed:
            bad.append(f"안 열리는 풀이 {closed[:3]}")
        if bad:
            problems.append(f"{path} @{width}px: " + "; ".join(bad))
        page.context.close()
    assert not problems, "\n".join(problems)


def test_every_page_names_its_favicon(site_dir, site_url, new_page):
    """아이콘이 없으면 브라우저가 /favicon.ico를 따로 찾다가 404를 받는다 (headless는 찾지 않아 위 검사가 못 본다)."""
    page = _open(new_page, site_url, site_pages()[0], 1280)
    href = page.evaluate("document.querySelector('link[rel~=icon]')?.href || ''")
    page.context.close()
    assert href.startswith(site_url) and href.endswith(".svg"), href
    assert (site_dir / href.removeprefix(site_url + "/")).read_text().startswith("<svg")
    for html in site_dir.rglob("*.html"):  # index.html은 첫 페이지로 넘기는 한 줄짜리
        if html.relative_to(site_dir).parts[0] not in ("_static", "_sources", "index.html"):
            assert 'rel="icon"' in html.read_text(encoding="utf-8"), html


def _solutions_that_do_not_open(page) -> list[str]:
    """풀이(토글) 하나하나를 눌러 내용이 보이게 되는지."""
    bad = []
    sols = page.locator(".solution.dropdown")
    for i in range(sols.count()):
        sol = sols.nth(i)
        sid = sol.get_attribute("id") or str(i)
        body = sol.locator("section, p:not(.admonition-title)").first
        if body.is_visible():
            bad.append(f"{sid}: 처음부터 열려 있음")
            continue
        sol.locator(".admonition-title, button.toggle-button").first.click()
        try:
            body.wait_for(state="visible", timeout=2000)
        except Exception:
            bad.append(sid)
    return bad


def test_screenshots(site_url, new_page):
    """두 페이지를 데스크톱과 휴대 전화 너비로 찍어 둔다 (사람이 보는 결과물)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path in SHOT_PAGES:
        for name, width in WIDTHS.items():
            page = _open(new_page, site_url, path, width)
            stem = Path(path).stem
            page.screenshot(path=str(SCREENSHOTS / f"{stem}_{name}_top.png"))
            target = page.locator(".animation, .cell_output .widget-slider").first
            if target.count():
                target.scroll_into_view_if_needed()
                page.wait_for_timeout(200)
                page.screenshot(path=str(SCREENSHOTS / f"{stem}_{name}_interactive.png"))
            page.context.close()
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 2 * len(SHOT_PAGES)


def _page_words(site_dir) -> dict[str, set[str]]:
    """페이지마다 본문의 한글 낱말 어간 (검색 색인과 같은 규칙)."""
    out = {}
    for path in site_pages():
        if not path.startswith("book/"):
            continue
        text = (site_dir / path).read_text(encoding="utf-8")
        main = text.split('role="main"', 1)[-1]
        main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
        words = re.findall(r"\w+", htmllib.unescape(re.sub(r"<[^>]+>", " ", main)))
        out[path] = {search_ko.stem_ko(w) for w in words}
    return out


@pytest.mark.parametrize(
    "query,stem", [("판별자의", "판별자"), ("생성자가", "생성자"), ("discriminators", "discrimin")]
)
def test_korean_search_reaches_every_page_using_the_word(site_dir, site_url, new_page, query, stem):
    """조사가 붙은 한글 낱말, 복수형 영어 낱말로 찾아도 그 어간을 쓰는 모든 페이지에 닿는다."""
    assert search_ko.stem_ko(query) == stem
    expected = {p for p, words in _page_words(site_dir).items() if stem in words}
    assert len(expected) >= 3, expected
    page = new_page(width=1280)
    page.goto(f"{site_url}/search.html?q={query}", wait_until="load")
    page.wait_for_selector("#search-results p.search-summary", timeout=30000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#search-results li p.context')].length > 0"
        " || document.querySelector('#search-results p.search-summary').textContent.includes('0')",
        timeout=30000,
    )
    page.wait_for_timeout(1500)  # 요약(snippet)을 채우는 동안
    links = page.eval_on_selector_all(
        "#search-results li > a", "els => els.map(a => a.getAttribute('href'))"
    )
    found = {re.sub(r"[?#].*$", "", h) for h in links}
    assert expected <= found, f"{query}: 검색이 닿지 않는 페이지 {sorted(expected - found)}"
    snippets = page.eval_on_selector_all(
        "#search-results li p.context", "els => els.map(p => p.textContent)"
    )
    assert snippets, "검색 결과 요약이 없습니다"
    tex = [s for s in snippets if re.search(r"\\\(|\\\[|\\frac|\\mathbb|\$\$", s)]
    assert not tex, f"검색 결과 요약에 TeX 원문: {tex[:2]}"
    assert not page.console_errors, page.console_errors
    assert not page.external_requests, page.external_requests


FONT_FACES_JS = """async () => {
  const urls = new Set();
  for (const s of document.styleSheets) {
    let rules;
    try { rules = s.cssRules; } catch (e) { continue; }
    for (const r of rules) {
      if (!(r instanceof CSSFontFaceRule)) continue;
      for (const m of r.style.getPropertyValue('src').matchAll(/url\\("?([^")]+)"?\\)/g)) {
        if (!m[1].startsWith('data:')) urls.add(new URL(m[1], s.href || document.baseURI).href);
      }
    }
  }
  const bad = [];
  for (const u of urls) {
    const r = await fetch(u);
    if (!r.ok) bad.push(`${u} ${r.status}`);
  }
  return {n: urls.size, bad};
}"""


def test_every_font_a_widget_page_declares_is_served(site_url, new_page):
    """위젯 관리자의 CSS가 선언한 글꼴(Font Awesome)이 사이트 안에 있다.

    브라우저는 그 글꼴이 쓰일 때에만 파일을 부르므로(테마 아이콘과 그리는 순서에 따라) 요청 검사만으로는
    404가 가끔만 보인다. 그래서 선언된 @font-face 주소를 모두 직접 부른다.
    """
    page = _open(new_page, site_url, "book/05_dcgan.html", 1280)
    got = page.evaluate(FONT_FACES_JS)
    page.context.close()
    assert got["n"] > 5 and got["bad"] == [], got
