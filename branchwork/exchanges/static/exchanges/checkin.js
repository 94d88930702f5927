// Check-in at the door: the phone's camera reads the badge's QR code with the browser's own
// BarcodeDetector (Chrome on Android, Safari 17+ behind no flag on some devices); where there is
// none, the page says so and the code is typed. Typed codes go through the same endpoint, so
// the counts refresh without reloading. Without JavaScript the form posts as before.
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render(data) {
    var result = document.getElementById("checkin-result");
    if (data.message) {
      result.textContent = data.message;
      result.hidden = false;
      result.dataset.result = data.result || "";
    }
    if (data.delegations) {
      var total = document.getElementById("checkin-total");
      total.textContent = total.dataset.template
        .replace("{present}", data.present).replace("{total}", data.total);
      var body = document.querySelector("#checkin-counts tbody");
      body.textContent = "";
      data.delegations.forEach(function (row) {
        var tr = document.createElement("tr");
        var name = document.createElement("td");
        name.textContent = row.name;
        var count = document.createElement("td");
        count.textContent = row.present + " / " + row.total;
        tr.appendChild(name);
        tr.appendChild(count);
        body.appendChild(tr);
      });
    }
  }

  function send(box, form, code) {
    var body = new URLSearchParams();
    body.set("code", code);
    if (box.dataset.session) { body.set("session", box.dataset.session); }
    return fetch(box.dataset.scanUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrf(form), "Accept": "application/json"}
    }).then(function (r) {
      if (!(r.headers.get("Content-Type") || "").startsWith("application/json")) { throw new Error(r.status); }
      return r.json();
    }).then(render, function () {
      // Offline, logged out, a server error: say so; the code stays in the field to try again.
      render({message: box.dataset.failed, result: "error"});
      throw new Error("scan failed");
    });
  }

  function startCamera(box, form) {
    var video = document.getElementById("checkin-video");
    var detector = new window.BarcodeDetector({formats: ["qr_code"]});
    var last = "", lastAt = 0, busy = false;
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play();
    }).then(function tick() {
      if (!busy && video.readyState >= 2) {
        busy = true;
        detector.detect(video).then(function (codes) {
          var now = Date.now();
          if (codes.length && (codes[0].rawValue !== last || now - lastAt > 3000)) {
            last = codes[0].rawValue;
            lastAt = now;
            return send(box, form, last);
          }
        }).catch(function () {}).then(function () { busy = false; });
      }
      window.requestAnimationFrame(tick);
    }).catch(function (err) {
      render({message: box.dataset.noCamera + " (" + err.name + ")"});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("checkin-camera");
    var form = document.getElementById("checkin-form");
    if (!box || !form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[name=code]");
      send(box, form, input.value).then(function () { input.value = ""; input.focus(); }, function () {});
    });
    // Firefox and Safari on iOS have no BarcodeDetector; typing the code works everywhere.
    var canScan = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    box.hidden = false;
    var start = document.getElementById("checkin-camera-start");
    if (canScan) {
      start.addEventListener("click", function () { start.remove(); startCamera(box, form); });
    } else {
      start.remove();  // a button's display would override [hidden]
      var note = document.createElement("p");
      note.className = "notice";
      note.id = "checkin-camera-note";
      note.setAttribute("role", "note");
      note.textContent = box.dataset.noCamera;
      box.appendChild(note);
      form.querySelector("input[name=code]").focus();
    }
    window.setInterval(function () {
      var url = box.dataset.scanUrl + (box.dataset.session ? "?session=" + box.dataset.session : "");
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); }).then(function (data) { render({delegations: data.delegations, present: data.present, total: data.total}); })
        .catch(function () {});
    }, 10000);
  });
})();
