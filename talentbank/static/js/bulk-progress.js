// Bulk award with a progress bar: instead of one long request, post the previewed rows in slices
// (`batch_start`, `batch_size`) and show how far it got. Rows carry idempotency keys on the server,
// so pressing the button again after a failure continues where it stopped. Without JavaScript the
// form posts everything in one request, as before.
(function () {
  "use strict";
  var SLICE = 50;
  document.querySelectorAll("form[data-bulk-issue]").forEach(function (form) {
    var box = form.querySelector(".bulk-progress");
    var bar = form.querySelector("progress");
    var text = form.querySelector("[data-progress-text]");
    var button = form.querySelector("button[type=submit]");
    var total = parseInt(form.dataset.totalRows, 10);

    function show(done, issued) {
      bar.value = done;
      text.textContent = text.dataset.template
        .replace("{done}", done).replace("{total}", total).replace("{issued}", issued);
    }

    function slice(start, issued) {
      var data = new FormData(form);
      data.set("action", "issue");
      data.set("batch_start", String(start));
      data.set("batch_size", String(SLICE));
      data.set("issued_so_far", String(issued));
      return fetch(form.getAttribute("action"), {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (result) {
        var done = Math.min(start + result.rows, total);
        issued += result.issued;
        show(done, issued);
        if (result.done || result.rows === 0) { return issued; }
        return slice(start + SLICE, issued);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      box.hidden = false;
      button.disabled = true;
      show(0, 0);
      slice(0, 0).then(function () {
        text.textContent = text.dataset.finished;
        window.location.assign(form.dataset.doneUrl);
      }).catch(function () {
        text.textContent = text.dataset.failed;
        button.disabled = false;
      });
    });
  });
})();
