// Branchwork, organizational life: the projector's check-in count refreshes itself, and wide
// tables say when they scroll. Everything works without this script (the page has a Refresh link).
(function () {
  "use strict";
  var EVERY_MS = 5000;

  function pollCheckIn(box) {
    var url = box.dataset.checkinStatus;
    var count = box.querySelector("[data-checkin-count]");
    var names = box.querySelector("[data-checkin-names]");
    var misses = 0;

    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          misses = 0;
          if (count) { count.textContent = data.label; }
          if (names) { names.textContent = data.names.join(names.getAttribute("data-separator") || "、"); }
          box.dataset.checkinPresent = String(data.present);
        })
        .catch(function () { misses += 1; })
        .then(function () {
          if (misses < 20) { window.setTimeout(poll, EVERY_MS * (misses ? 2 : 1)); }
        });
    }
    window.setTimeout(poll, EVERY_MS);
  }

  // A table wider than its frame gets a visible cue (a shadow on the side that scrolls and a
  // note above), updated as the reader scrolls or the window changes.
  function markScrollable(wrap) {
    function update() {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
      wrap.classList.toggle("at-start", wrap.scrollLeft <= 0);
      var note = wrap.previousElementSibling;
      if (note && note.classList.contains("scroll-note")) { note.hidden = !scrolls; }
    }
    wrap.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-checkin-status]").forEach(pollCheckIn);
    document.querySelectorAll(".scroll-frame").forEach(markScrollable);
  });
})();
