// Branchwork: the ledger export page polls its status while the ledger is built, moves the
// progress bar and shows the download link when it is ready. Without JavaScript the page
// refreshes itself instead (a <meta refresh> inside <noscript>).
(function () {
  "use strict";
  var PENDING = ["queued", "running"];

  function start(box) {
    var url = box.dataset.statusUrl;
    var bar = box.querySelector("[data-ledger-progress]");
    var label = box.querySelector("[data-ledger-label]");
    var percent = box.querySelector("[data-ledger-percent]");
    var ready = box.querySelector("[data-ledger-ready]");
    var link = box.querySelector("[data-ledger-download]");
    var filename = box.querySelector("[data-ledger-filename]");
    var failed = box.querySelector("[data-ledger-failed]");
    var error = box.querySelector("[data-ledger-error]");
    var wait = box.querySelector("[data-ledger-wait]");
    var misses = 0;

    function show(data) {
      box.dataset.status = data.status;
      if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
      if (percent) { percent.textContent = data.progress + "%"; }
      if (label) { label.textContent = data.status_label; }
      if (data.status === "done" && data.download_url && ready && link) {
        link.href = data.download_url;
        if (filename && data.filename) { filename.textContent = data.filename; }
        ready.hidden = false;
      }
      if (data.status === "failed" && failed) {
        if (error) { error.textContent = data.error || ""; }
        failed.hidden = false;
      }
      if (PENDING.indexOf(data.status) < 0 && wait) { wait.hidden = true; }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw response.status; }
          return response.json();
        })
        .then(function (data) {
          misses = 0;
          show(data);
          if (PENDING.indexOf(data.status) >= 0) { window.setTimeout(poll, 1000); }
        })
        .catch(function (status) {
          misses += 1;
          // A 4xx will not get better; a network hiccup might.
          if (!(status >= 400 && status < 500) && misses < 20) { window.setTimeout(poll, 3000); }
        });
    }

    if (PENDING.indexOf(box.dataset.status) >= 0) { poll(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ledger-export]").forEach(start);
  });
})();
