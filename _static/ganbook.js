/* GAN부터 SinGAN까지: 사이트 전체에 붙는 작은 스크립트 (인터넷 없이 동작, 바깥 요청 없음).
 *
 * 1. ipywidgets의 컨트롤은 라벨을 MathJax 2의 API(MathJax.Hub.Queue)로 조판한다. 사이트는 MathJax 3을
 *    쓰므로 그 호출을 MathJax 3의 typesetPromise로 이어 준다(없으면 콘솔 오류가 난다).
 * 2. 정적 페이지의 위젯 패널(커널 없이 저장된 복사본)에서는 슬라이더가 움직여도 그림이 바뀌지 않는다.
 *    슬라이더가 있는 패널마다 그렇다고 알리는 문장을 붙인다.
 */
(function () {
  "use strict";
  var NOTE =
    "정적 페이지에서는 슬라이더가 그림을 바꾸지 않습니다. 슬라이더를 움직여 보려면 이 장을 Colab이나 " +
    "Jupyter에서 실행하세요(위쪽 로켓 버튼).";

  function installHubShim() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        var elements = [];
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && job[2]) elements.push(job[2]);
        }
        var run = function () {
          if (window.MathJax.typesetPromise) {
            return window.MathJax.typesetPromise(elements.length ? elements : undefined);
          }
        };
        var ready = window.MathJax.startup && window.MathJax.startup.promise;
        (ready ? ready.then(run) : Promise.resolve().then(run)).catch(function (err) {
          console.warn("MathJax typeset:", err);
        });
      },
    };
  }

  function markStaticPanels(root) {
    var sliders = (root || document).querySelectorAll(".widget-slider, .jupyter-widget-slider");
    sliders.forEach(function (slider) {
      var panel = slider.closest(".cell_output") || slider.closest(".output");
      if (!panel || panel.querySelector(".ganbook-static-note")) return;
      var note = document.createElement("p");
      note.className = "ganbook-static-note";
      note.setAttribute("role", "note");
      note.textContent = NOTE;
      panel.insertBefore(note, panel.firstChild);
    });
  }

  window.ganbook = { installHubShim: installHubShim, markStaticPanels: markStaticPanels, NOTE: NOTE };
  installHubShim();
  document.addEventListener("DOMContentLoaded", installHubShim);
  window.addEventListener("load", function () {
    installHubShim();
    markStaticPanels();
    // 위젯 관리자는 load 뒤에 비동기로 그린다: 새로 그려진 슬라이더에도 알림을 붙인다
    if (window.MutationObserver) {
      var pending = false;
      new MutationObserver(function () {
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          markStaticPanels();
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  });
})();

/* 3. 검색 결과 요약에 수식의 TeX 원문(\(...\))이 보이지 않게, 요약을 만들기 전에 수식을 뺀다. */
(function () {
  "use strict";
  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search._ganbookPatched) return;
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math, mjx-container, .MathJax_Preview").forEach(function (el) {
        el.replaceWith(doc.createTextNode(" … "));
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search._ganbookPatched = true;
  }
  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
