// Branchwork: the little JavaScript the pages need. Everything works without it; this only
// makes the text-size buttons act at once and remembers the choice without a round trip.
(function () {
  "use strict";
  var COOKIE = "bw_textsize";
  var SIZES = ["small", "normal", "large"];

  function applySize(size) {
    var root = document.documentElement;
    SIZES.forEach(function (s) { root.classList.remove("text-" + s); });
    root.classList.add("text-" + size);
    document.querySelectorAll("[data-text-size]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.textSize === size ? "true" : "false");
    });
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + size + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        applySize(button.dataset.textSize);
      });
    });
  });
})();
