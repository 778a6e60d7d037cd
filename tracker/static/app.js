// tracker: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Each line shows only the fields of its kind.
  function wireLine(line) {
    var kind = line.querySelector(".line-kind");
    if (kind) kind.addEventListener("change", function () { line.dataset.kind = kind.value; });
    var item = line.querySelector(".line-item");
    if (item) item.addEventListener("change", function () {
      // The unit value and its currency come from the item's default, unless typed already.
      var option = item.options[item.selectedIndex];
      var value = line.querySelector(".line-unit-value");
      var currency = line.querySelector('select[name$=".unit_value.currency"]');
      if (option && option.dataset.unitValue && value && !value.value) {
        value.value = option.dataset.unitValue;
        if (currency && option.dataset.currency) currency.value = option.dataset.currency;
      }
    });
  }
  document.querySelectorAll("fieldset.line").forEach(wireLine);

  // "Add a line" without a round trip: copy the last line, empty it, keep its currency.
  var add = document.getElementById("add-line");
  var lines = document.getElementById("lines");
  var count = document.getElementById("line-count");
  if (add && lines && count) {
    add.addEventListener("click", function (event) {
      var all = lines.querySelectorAll("fieldset.line");
      var last = all[all.length - 1];
      if (!last) return;
      event.preventDefault();
      var index = all.length;
      var copy = last.cloneNode(true);
      var from = "lines[" + last.dataset.index + "]", to = "lines[" + index + "]";
      var fromId = "f-lines-" + last.dataset.index + "-", toId = "f-lines-" + index + "-";
      copy.dataset.index = String(index);
      copy.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, v.split(from).join(to).split(fromId).join(toId));
        });
      });
      copy.querySelectorAll(".field-error, .remove-line").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      copy.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      copy.querySelectorAll("input").forEach(function (el) { el.value = ""; });
      copy.querySelectorAll("select").forEach(function (el, i) {
        var original = last.querySelectorAll("select")[i];
        el.value = original ? original.value : el.value;
      });
      var legend = copy.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
      var item = copy.querySelector(".line-item");
      if (item) item.value = "";
      lines.appendChild(copy);
      count.value = String(index + 1);
      wireLine(copy);
      var first = copy.querySelector(".line-kind");
      if (first) first.focus();
    });
  }

  // Donor and recipient: suggestions while typing, from the app itself.
  document.querySelectorAll(".party[data-lookup]").forEach(function (box) {
    var input = box.querySelector(".party-name");
    var hidden = box.querySelector(".party-id");
    var list = box.querySelector("datalist");
    if (!input || !hidden || !list) return;
    var timer = null, found = [];
    function choose() {
      var exact = found.filter(function (row) { return row.name === input.value; });
      hidden.value = exact.length === 1 ? String(exact[0].id) : "";
    }
    input.addEventListener("input", function () {
      choose();
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 1) return;
      timer = setTimeout(function () {
        fetch(box.dataset.lookup + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            found = rows;
            list.textContent = "";
            rows.forEach(function (row) {
              var option = document.createElement("option");
              option.value = row.name;
              option.label = row.detail;
              list.appendChild(option);
            });
            choose();
          })
          .catch(function () { /* suggestions are a convenience; the server resolves the name anyway */ });
      }, 150);
    });
  });

  // Focus the summary of errors, so keyboard and screen-reader users land on it.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
