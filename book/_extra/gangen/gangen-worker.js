/* 브라우저 속 생성자의 계산 작업자(Web Worker). gangen.js가 띄운다.
 *
 * onnxruntime-web(단일 스레드 WASM)을 페이지와 다른 스레드에서 읽고 돌린다. 페이지가 본문을 읽고 수식을
 * 조판하느라 주 스레드가 바쁜 동안, 다른 코어에서 WASM을 컴파일하고 모델을 올려 둔다.
 *
 * 메시지 (모두 id를 달고 오가며, 답에는 ok와 실패 때 error가 붙는다):
 *   {id, op: "load", stem}                 → {id, ok}
 *   {id, op: "run", stem, z, d, ys}        → {id, ok, image}   z: Float32Array (B·d), ys: 정수 배열 또는 null,
 *                                                               image: Float32Array (B·784), 값은 [-1, 1]
 *   {id, op: "run", stem, inputs}          → {id, ok, image}   inputs: 이름 → {data: Float32Array, dims} (13장 StyleGAN)
 */
"use strict";
var BASE = new URL(".", self.location.href).href; // .../gangen/
importScripts(BASE + "ort/ort.wasm.min.js");
ort.env.wasm.numThreads = 1; // 단일 스레드: COOP/COEP 헤더 없는 정적 호스트에서도 돈다
ort.env.wasm.proxy = false;
ort.env.wasm.wasmPaths = BASE + "ort/"; // 사이트 안의 복사본 (CDN 아님)
ort.env.logLevel = "error";

var sessions = {};
function load(stem) {
  if (!sessions[stem]) {
    var url = BASE + "models/" + stem + ".onnx";
    sessions[stem] = fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + " " + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      return ort.InferenceSession.create(new Uint8Array(buf), { executionProviders: ["wasm"] });
    });
  }
  return sessions[stem];
}

function run(m) {
  return load(m.stem).then(function (sess) {
    var feeds = {};
    if (m.inputs) {
      Object.keys(m.inputs).forEach(function (k) { feeds[k] = new ort.Tensor("float32", m.inputs[k].data, m.inputs[k].dims); });
      return sess.run(feeds);
    }
    var B = m.z.length / m.d;
    feeds.z = new ort.Tensor("float32", m.z, [B, m.d]);
    if (m.ys) feeds.y = new ort.Tensor("int64", BigInt64Array.from(m.ys.map(BigInt)), [B]);
    return sess.run(feeds);
  }).then(function (out) {
    return { image: out.image.data };
  });
}

self.onmessage = function (e) {
  var m = e.data;
  var job = m.op === "load" ? load(m.stem).then(function () { return {}; }) : run(m);
  job.then(function (r) {
    r.id = m.id;
    r.ok = true;
    self.postMessage(r, r.image ? [r.image.buffer] : []);
  }, function (err) {
    self.postMessage({ id: m.id, ok: false, error: String((err && err.message) || err) });
  });
};
