// tracker: the import page's progress bar, kept up to date by polling the job's status.
// Without this file the page reloads itself every two seconds (a <noscript> refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box) return;
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var lang = document.documentElement.lang || undefined;
  var numbers = new Intl.NumberFormat(lang);
  var percents = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

  function show(status) {
    if (status.rows_total) {
      bar.max = status.rows_total;
      bar.value = status.rows_done;
    }
    var percent = status.percent === null ? "" : percents.format(status.percent / 100);
    bar.textContent = percent;
    count.textContent = box.dataset.label
      .replace("{done}", numbers.format(status.rows_done))
      .replace("{total}", numbers.format(status.rows_total || 0))
      .replace("{percent}", percent);
  }

  function poll() {
    fetch(box.dataset.importStatus, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (!status) { setTimeout(poll, 2000); return; }
        show(status);
        // Finished: the server renders the result (the preview, the import, or the problems).
        if (status.running) { setTimeout(poll, 500); return; }
        box.dataset.done = "1";
        setTimeout(function () { window.location.reload(); }, 600);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
