/* 브라우저 속 생성자: 이 책에서 학습한 생성자를 독자의 브라우저에서 onnxruntime-web(단일 스레드 WASM)으로 돌린다.
 *
 * 페이지의 <div class="gangen" data-block="ch05">(또는 "ch04", "ch13")를 찾아 조작 블록을 그린다.
 * 모델(.onnx)과 잠재 벡터(.json)는 사이트를 빌드할 때 gancore.export가 커밋된 체크포인트에서 만든다
 * (_ext/gangen_assets.py). 잠재 벡터는 장의 파이썬 셀과 같은 시드로 torch가 뽑은 값 그대로다.
 * 바깥 주소는 쓰지 않는다: 모든 파일이 이 스크립트 옆(gangen/)에 있다.
 *
 * onnxruntime-web은 작업자(gangen-worker.js, Web Worker)가 다른 스레드에서 돌린다: 주 스레드는 조작과 그리기만 한다.
 *
 * 테스트용으로 window.gangen에 시각(timings)과 블록별 단계 시간(steps)을 남긴다.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var BASE = new URL(".", script ? script.src : location.href).href; // .../gangen/
  var G = (window.gangen = window.gangen || { base: BASE, timings: {}, blocks: {}, errors: [] });
  if (G.started) return; // 한 페이지에 스크립트가 두 번 있어도 한 번만
  G.started = true;
  var PX = 28;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  function say(root, text) {
    var box = root.querySelector(".gangen-msg") || root.appendChild(el("p", { class: "gangen-msg" }));
    box.textContent = text;
    root.classList.add("gangen-failed");
  }

  // 계산은 작업자(gangen-worker.js)가 다른 스레드에서 한다: 주 스레드가 본문을 읽는 동안 WASM과 모델을 올린다
  var worker = null, calls = {}, nextId = 1;
  function call(msg) {
    if (!worker) {
      worker = new Worker(BASE + "gangen-worker.js");
      worker.onmessage = function (e) {
        var r = e.data, c = calls[r.id];
        delete calls[r.id];
        if (r.ok) c.ok(r); else c.fail(new Error(r.error));
      };
      worker.onerror = function (e) { // 작업자 스크립트가 뜨지 못함: 기다리는 요청을 모두 실패로
        e.preventDefault();
        Object.keys(calls).forEach(function (id) { calls[id].fail(new Error("작업자 오류: " + (e.message || "읽지 못함"))); delete calls[id]; });
      };
    }
    return new Promise(function (ok, fail) {
      msg.id = nextId++;
      calls[msg.id] = { ok: ok, fail: fail };
      worker.postMessage(msg);
    });
  }

  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + " " + r.status);
      return r.json();
    });
  }

  function b64(d) {
    var bin = atob(d.b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return { shape: d.shape, data: new Float32Array(bytes.buffer) };
  }

  var models = {};
  function getModel(stem) {
    if (!models[stem]) {
      models[stem] = Promise.all([
        fetchJson(BASE + "models/" + stem + ".json"),
        call({ op: "load", stem: stem }).then(function () { G.timings["session_" + stem] = performance.now(); }),
      ]).then(function (r) {
        return { stem: stem, data: r[0], d: r[0].z_dim };
      });
    }
    return models[stem];
  }

  // z: Float32Array (B·d), ys: 정수 배열 또는 null → Float32Array (B·784), 값은 [-1, 1]
  function generate(m, z, ys) {
    return call({ op: "run", stem: m.stem, z: z, d: m.d, ys: ys }).then(function (r) { return r.image; }); // z는 복사된다 (작다)
  }

  // inputs: 이름 → {data: Float32Array, dims} → Float32Array (13장 StyleGAN: B·32·32)
  function generateNamed(m, inputs) {
    return call({ op: "run", stem: m.stem, inputs: inputs }).then(function (r) { return r.image; });
  }

  // 마지막 요청만 남기는 줄: 계산 중에 슬라이더가 여러 번 움직이면 끝난 뒤 가장 최근 것 하나만 그린다
  function runner(name, job) {
    var busy = false, pending = null, info = (G.blocks[name] = { steps: [], first: null, draws: 0 });
    function go(t0) {
      busy = true;
      Promise.resolve().then(job).then(function () {
        var now = performance.now();
        info.draws += 1;
        if (info.first === null) info.first = now; else info.steps.push(now - t0);
      }).catch(function (e) {
        G.errors.push(String(e));
        throw e;
      }).finally(function () {
        busy = false;
        if (pending !== null) { var t = pending; pending = null; go(t); }
      });
    }
    return function () {
      var t0 = performance.now();
      if (busy) pending = t0; else go(t0);
    };
  }

  function toPixel(x) { // torch 쪽과 같은 식: round((x + 1) / 2 · 255)
    var v = Math.round(((x < -1 ? -1 : x > 1 ? 1 : x) + 1) / 2 * 255);
    return v;
  }

  // (n·s·s) → (n·784): 가운데 28×28 (torch의 stylegan.crop28과 같다)
  function crop28(x, n, s) {
    var o = new Float32Array(n * 784), p = (s - PX) / 2;
    for (var k = 0; k < n; k++) for (var r = 0; r < PX; r++) for (var c = 0; c < PX; c++) o[k * 784 + r * PX + c] = x[k * s * s + (r + p) * s + c + p];
    return o;
  }

  // imgs: Float32Array (n·784), 한 줄에 cols장
  function draw(canvas, imgs, n, cols) {
    cols = Math.min(cols || n, n);
    var rows = Math.ceil(n / cols);
    canvas.width = PX * cols; canvas.height = PX * rows;
    var ctx = canvas.getContext("2d"), im = ctx.createImageData(canvas.width, canvas.height);
    for (var k = 0; k < n; k++) {
      var ox = (k % cols) * PX, oy = Math.floor(k / cols) * PX;
      for (var r = 0; r < PX; r++) for (var c = 0; c < PX; c++) {
        var v = toPixel(imgs[k * 784 + r * PX + c]), o = ((oy + r) * canvas.width + ox + c) * 4;
        im.data[o] = im.data[o + 1] = im.data[o + 2] = v; im.data[o + 3] = 255;
      }
    }
    ctx.putImageData(im, 0, 0);
    canvas.style.width = canvas.width * Number(canvas.dataset.scale || 4) + "px"; // 화면에서는 확대 (좁으면 max-width로 줄인다)
    canvas.dataset.version = String(Number(canvas.dataset.version || 0) + 1);
  }

  // ---- 벡터 계산 (torch의 gancore.latent와 같은 식) ----
  function row(A, i, d) { return A.data.subarray(i * d, (i + 1) * d); }
  function norm(v) { var s = 0; for (var i = 0; i < v.length; i++) s += v[i] * v[i]; return Math.sqrt(s); }
  function lerp(a, b, t) { var o = new Float64Array(a.length); for (var i = 0; i < a.length; i++) o[i] = (1 - t) * a[i] + t * b[i]; return o; }
  function slerp(a, b, t) {
    var dot = 0; for (var i = 0; i < a.length; i++) dot += a[i] * b[i];
    var cos = dot / Math.max(norm(a) * norm(b), 1e-7), om = Math.acos(Math.max(-1, Math.min(1, cos)));
    var so = Math.sin(om);
    if (Math.abs(so) < 1e-6) return lerp(a, b, t);
    var ca = Math.sin((1 - t) * om) / so, cb = Math.sin(t * om) / so, o = new Float64Array(a.length);
    for (var j = 0; j < a.length; j++) o[j] = ca * a[j] + cb * b[j];
    return o;
  }
  function pack(vs, d) { var z = new Float32Array(vs.length * d); vs.forEach(function (v, i) { z.set(v, i * d); }); return z; }

  function slider(label, min, max, step, value, role) {
    var input = el("input", { type: "range", min: min, max: max, step: step, value: value, "data-role": role, "aria-label": label });
    var out = el("output", { text: String(value) });
    var wrap = el("label", { class: "gangen-ctl" }, [el("span", { text: label }), input, out]);
    input.addEventListener("input", function () { out.textContent = input.value; });
    return { wrap: wrap, input: input, get: function () { return Number(input.value); } };
  }
  function picker(label, n, value, role, names) {
    var sel = el("select", { "data-role": role, "aria-label": label });
    for (var i = 0; i < n; i++) sel.appendChild(el("option", { value: i, text: names ? names[i] : String(i) }));
    sel.value = String(value);
    return { wrap: el("label", { class: "gangen-ctl" }, [el("span", { text: label }), sel]), input: sel, get: function () { return Number(sel.value); } };
  }
  function canvas(role, scale) { return el("canvas", { class: "gangen-canvas", "data-role": role, "data-scale": scale || 4, width: PX, height: PX }); }
  function figure(c, capRole) { return el("figure", { class: "gangen-fig" }, [c, el("figcaption", { "data-role": capRole })]); }
  function panel(title, kids) { return el("section", { class: "gangen-panel" }, [el("h4", { text: title })].concat(kids)); }

  // ---- 5장: 보간, 속성 벡터, A − B + C ----
  function ch05(root, m) {
    var D = m.data, d = m.d, seeds = b64(D.seeds), nSeeds = seeds.shape[0];
    var sA = slider("시드 A", 0, nSeeds - 1, 1, D.seeds_default[0], "seed-a");
    var sB = slider("시드 B", 0, nSeeds - 1, 1, D.seeds_default[1], "seed-b");
    var sT = slider("t", 0, 1, 0.05, 0.5, "t");
    var cL = canvas("lerp", 6), cS = canvas("slerp", 6), stL = canvas("lerp-strip", 3), stS = canvas("slerp-strip", 3);
    var p1 = panel("보간: lerp와 slerp", [
      el("div", { class: "gangen-row" }, [sA.wrap, sB.wrap, sT.wrap]),
      el("div", { class: "gangen-row" }, [figure(cL, "lerp-cap"), figure(cS, "slerp-cap")]),
      el("div", { class: "gangen-strips" }, [el("span", { text: "lerp 경로 (t = 0 → 1)" }), stL, el("span", { text: "slerp 경로" }), stS]),
    ]);
    var lastSeeds = "";
    var runInterp = runner("ch05-interp", function () {
      var a = row(seeds, sA.get(), d), b = row(seeds, sB.get(), d), t = sT.get();
      var zl = lerp(a, b, t), zs = slerp(a, b, t), vs = [zl, zs], key = sA.get() + "," + sB.get();
      var withStrips = key !== lastSeeds;
      if (withStrips) for (var i = 0; i < 9; i++) { vs.push(lerp(a, b, i / 8)); }
      if (withStrips) for (var j = 0; j < 9; j++) { vs.push(slerp(a, b, j / 8)); }
      return generate(m, pack(vs, d), null).then(function (x) {
        draw(cL, x.subarray(0, 784), 1); draw(cS, x.subarray(784, 1568), 1);
        if (withStrips) { draw(stL, x.subarray(2 * 784, 11 * 784), 9); draw(stS, x.subarray(11 * 784), 9); lastSeeds = key; }
        root.querySelector('[data-role="lerp-cap"]').textContent = "lerp ‖z‖ = " + norm(zl).toFixed(2);
        root.querySelector('[data-role="slerp-cap"]').textContent = "slerp ‖z‖ = " + norm(zs).toFixed(2);
        p1.querySelector(".gangen-note").textContent = "t = " + t.toFixed(2) + ", 두 끝점의 ‖z‖ = " + norm(a).toFixed(2) + ", " + norm(b).toFixed(2) + " (√d = " + Math.sqrt(d).toFixed(2) + ")";
      });
    });
    p1.appendChild(el("p", { class: "gangen-note" }));

    var attrs = Object.keys(D.attributes).filter(function (k) { return k === "thickness" || k === "slant"; });
    var vecs = {}, amt = {};
    attrs.forEach(function (k) { vecs[k] = b64(D.attributes[k]).data; amt[k] = slider(D.attribute_names[k] + " 세기 α", -3, 3, 0.25, 0, "alpha-" + k); });
    var base = b64(D.attr_z), nBase = base.shape[0], cA = canvas("attr", 3);
    var p2 = panel("속성 벡터 더하기", [
      el("div", { class: "gangen-row" }, attrs.map(function (k) { return amt[k].wrap; })),
      figure(cA, "attr-cap"),
    ]);
    var runAttr = runner("ch05-attr", function () {
      var vs = [];
      for (var i = 0; i < nBase; i++) {
        var z = Float64Array.from(row(base, i, d));
        attrs.forEach(function (k) { var a = amt[k].get(); for (var j = 0; j < d; j++) z[j] += a * vecs[k][j]; });
        vs.push(z);
      }
      return generate(m, pack(vs, d), null).then(function (x) {
        draw(cA, x, nBase);
        root.querySelector('[data-role="attr-cap"]').textContent = "z" + attrs.map(function (k) { var a = amt[k].get(); return (a < 0 ? " − " : " + ") + Math.abs(a).toFixed(2) + "·v(" + D.attribute_names[k] + ")"; }).join("") + ", 새 숫자 " + nBase + "개";
      });
    });

    var pool = b64(D.abc_pool), nPool = pool.shape[0], cP = canvas("pool", 2), cR = canvas("abc", 4);
    var pa = picker("A", nPool, 0, "pick-a"), pb = picker("B", nPool, 1, "pick-b"), pc = picker("C", nPool, 2, "pick-c");
    var p3 = panel("A − B + C", [
      el("p", { class: "gangen-note", text: "표본 모음 (왼쪽 위부터 0, 1, 2, …; 한 줄에 10개)" }), cP,
      el("div", { class: "gangen-row" }, [pa.wrap, pb.wrap, pc.wrap]),
      figure(cR, "abc-cap"),
    ]);
    var runAbc = runner("ch05-abc", function () {
      var a = row(pool, pa.get(), d), b = row(pool, pb.get(), d), c = row(pool, pc.get(), d), r = new Float64Array(d);
      for (var i = 0; i < d; i++) r[i] = a[i] - b[i] + c[i];
      return generate(m, pack([a, b, c, r], d), null).then(function (x) {
        draw(cR, x, 4);
        root.querySelector('[data-role="abc-cap"]').textContent = "A, B, C, A − B + C (‖A − B + C‖ = " + norm(r).toFixed(2) + ")";
      });
    });
    root.append(p1, p2, p3);
    [sA, sB, sT].forEach(function (s) { s.input.addEventListener("input", runInterp); });
    attrs.forEach(function (k) { amt[k].input.addEventListener("input", runAttr); });
    [pa, pb, pc].forEach(function (s) { s.input.addEventListener("change", runAbc); });
    return generate(m, pool.data, null).then(function (x) { draw(cP, x, nPool, 10); runInterp(); runAttr(); runAbc(); });
  }

  // ---- 4장: 숫자 고르기와 시드 ----
  function ch04(root, m) {
    var D = m.data, d = m.d, seeds = b64(D.seeds), K = D.n_classes;
    var names = []; for (var k = 0; k < K; k++) names.push(String(k));
    var pd = picker("숫자 y", K, 7, "digit", names), ss = slider("시드", 0, seeds.shape[0] - 1, 1, 0, "seed");
    var cOne = canvas("cgan", 6), cRow = canvas("cgan-row", 3);
    var p = panel("조건부 생성자: 주문한 숫자 G(z | y)", [
      el("div", { class: "gangen-row" }, [pd.wrap, ss.wrap]),
      el("div", { class: "gangen-row" }, [figure(cOne, "cgan-cap"), figure(cRow, "cgan-row-cap")]),
    ]);
    var run = runner("ch04", function () {
      var z = row(seeds, ss.get(), d), vs = [], ys = [];
      for (var k = 0; k < K; k++) { vs.push(z); ys.push(k); }
      vs.push(z); ys.push(pd.get());
      return generate(m, pack(vs, d), ys).then(function (x) {
        draw(cOne, x.subarray(K * 784), 1); draw(cRow, x.subarray(0, K * 784), K);
        root.querySelector('[data-role="cgan-cap"]').textContent = "y = " + pd.get() + ", 시드 " + ss.get() + " (‖z‖ = " + norm(z).toFixed(2) + ")";
        root.querySelector('[data-role="cgan-row-cap"]').textContent = "같은 z, y = 0…" + (K - 1);
      });
    });
    root.append(p);
    ss.input.addEventListener("input", run);
    pd.input.addEventListener("change", run);
    run();
    return Promise.resolve();
  }

  // ---- 13장: StyleGAN의 절단 ψ와 스타일 혼합의 교차점 k ----
  function ch13(root, m) {
    var D = m.data, d = m.d, L = D.num_ws, seeds = b64(D.seeds), n = seeds.shape[0];
    var sA = slider("시드 A (거친 층)", 0, n - 1, 1, D.seeds_default[0], "seed-a");
    var sB = slider("시드 B (세밀한 층)", 0, n - 1, 1, D.seeds_default[1], "seed-b");
    var sP = slider("절단 ψ", 0, 1, 0.05, D.psi, "psi"), sK = slider("교차점 k", 0, L, 1, D.k, "k");
    var cOne = canvas("style", 6), cRow = canvas("style-row", 3);
    var p = panel("스타일 혼합과 절단: 층 < k는 시드 A, 층 ≥ k는 시드 B", [
      el("div", { class: "gangen-row" }, [sA.wrap, sB.wrap]),
      el("div", { class: "gangen-row" }, [sP.wrap, sK.wrap]),
      el("div", { class: "gangen-row" }, [figure(cOne, "style-cap"), figure(cRow, "style-row-cap")]),
    ]);
    var run = runner("ch13", function () {
      var a = row(seeds, sA.get(), d), b = row(seeds, sB.get(), d), k = sK.get(), B = L + 1;
      var mix = new Float32Array(B * L); // 그림 j는 교차점 j: 층 i < j에 w₁
      for (var j = 0; j < B; j++) for (var i = 0; i < L; i++) mix[j * L + i] = i < j ? 1 : 0;
      var inputs = {
        z1: { data: pack(Array(B).fill(a), d), dims: [B, d] },
        z2: { data: pack(Array(B).fill(b), d), dims: [B, d] },
        psi: { data: Float32Array.of(sP.get()), dims: [1] },
        mix: { data: mix, dims: [B, L] },
      };
      return generateNamed(m, inputs).then(function (x) {
        var y = crop28(x, B, D.size);
        draw(cOne, y.subarray(k * 784, (k + 1) * 784), 1); draw(cRow, y, B);
        var what = k === 0 ? "모든 층이 시드 B" : k === L ? "모든 층이 시드 A" : "층 0…" + (k - 1) + "은 시드 A, 층 " + k + "…" + (L - 1) + "은 시드 B";
        root.querySelector('[data-role="style-cap"]').textContent = "ψ = " + sP.get().toFixed(2) + ", k = " + k + ": " + what;
        root.querySelector('[data-role="style-row-cap"]').textContent = "같은 ψ에서 k = 0 (시드 B만) … " + L + " (시드 A만)";
      });
    });
    root.append(p);
    [sA, sB, sP, sK].forEach(function (s) { s.input.addEventListener("input", run); });
    run();
    return Promise.resolve();
  }

  var BLOCKS = { ch05: ["dcgan_mnist", ch05], ch04: ["cgan_mnist", ch04], ch13: ["stylegan_mnist", ch13] };

  function start(root) {
    var spec = BLOCKS[root.dataset.block];
    root.textContent = "";
    if (!spec) { say(root, "알 수 없는 블록입니다: " + root.dataset.block); return; }
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      say(root, "이 브라우저에서는 WebAssembly를 쓸 수 없어 생성자를 브라우저에서 돌리지 못합니다. 이 장의 정적 그림이 같은 내용을 보여 줍니다.");
      return;
    }
    if (location.protocol === "file:") {
      say(root, "파일을 직접 열면(file://) 브라우저가 모델 파일을 읽지 못합니다. 빌드된 폴더에서 `python -m http.server`로 내준 뒤 http://localhost:8000 으로 여세요.");
      return;
    }
    var status = root.appendChild(el("p", { class: "gangen-note gangen-loading", text: "생성자를 읽는 중…" }));
    getModel(spec[0]).then(function (m) {
      status.remove();
      return spec[1](root, m);
    }).catch(function (e) {
      G.errors.push(String(e));
      say(root, "생성자를 읽지 못했습니다(" + e.message + "). 이 장의 정적 그림을 보세요.");
    });
  }

  function init() {
    var css = el("link", { rel: "stylesheet", href: BASE + "gangen.css" });
    document.head.appendChild(css);
    G.timings.init = performance.now();
    document.querySelectorAll("div.gangen").forEach(start);
  }
  // 블록 div는 이 스크립트보다 앞에 있다: 페이지의 나머지를 읽는 동안 모델부터 내려받기 시작한다
  G.timings.script = performance.now();
  document.querySelectorAll("div.gangen").forEach(function (root) {
    var spec = BLOCKS[root.dataset.block];
    if (spec && typeof WebAssembly === "object" && location.protocol !== "file:") getModel(spec[0]).catch(function () {});
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
