/* Hawker pages work without this script; it only makes them nicer:
   - the product page shows the chosen variant's price and stock as options are picked;
   - the product form can add variant rows;
   - pages know scripts run (the "no-js" class goes). */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function variantPicker() {
    var data = document.getElementById("variant-data");
    var price = document.getElementById("variant-price");
    var stock = document.getElementById("variant-stock");
    if (!data || !price || !stock) return;
    var picker;
    try {
      picker = JSON.parse(data.textContent || "{}");
    } catch (e) {
      return;
    }
    var options = picker.options || [];
    var variants = picker.variants || [];
    var form = data.closest("form");
    if (!form || !options.length) return;
    var buttons = form.querySelectorAll("[data-needs-stock]");

    function chosen() {
      var values = [];
      for (var i = 0; i < options.length; i++) {
        var checked = form.querySelector('input[name="option-' + i + '"]:checked');
        values.push(checked ? checked.value : "");
      }
      return values;
    }

    function matches(variant, values) {
      for (var i = 0; i < values.length; i++) {
        if (values[i] && variant.values[i] !== values[i]) return false;
      }
      return true;
    }

    function update() {
      var values = chosen();
      var complete = values.every(function (v) { return v !== ""; });
      var found = null;
      if (complete) {
        found = variants.find(function (v) { return matches(v, values); }) || null;
      }
      if (found) {
        price.textContent = found.price;
        stock.textContent = found.available > 0 ? found.available + " in stock" : "Sold out";
        stock.classList.toggle("is-out", found.available <= 0);
      } else if (complete) {
        stock.textContent = "This combination isn't available";
      }
      buttons.forEach(function (b) { b.disabled = !!found && found.available <= 0; });
      // mark values no variant in stock offers with the other choices made
      for (var i = 0; i < options.length; i++) {
        var inputs = form.querySelectorAll('input[name="option-' + i + '"]');
        inputs.forEach(function (input) {
          var trial = values.slice();
          trial[i] = input.value;
          var any = variants.some(function (v) { return matches(v, trial) && v.available > 0; });
          var label = form.querySelector('label[for="' + input.id + '"]');
          if (label) label.classList.toggle("is-unavailable", !any);
        });
      }
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name && event.target.name.indexOf("option-") === 0) update();
    });
    update();
  }

  function variantRows() {
    var add = document.querySelector("[data-add-variant]");
    var list = document.querySelector("[data-variants]");
    var count = document.querySelector("[data-variant-count]");
    if (!add || !list || !count) return;
    add.addEventListener("click", function () {
      var rows = list.querySelectorAll("[data-variant-row]");
      var last = rows[rows.length - 1];
      if (!last) return;
      var index = rows.length;
      var row = last.cloneNode(true);
      row.querySelectorAll('input[type="hidden"], .variant__tools').forEach(function (el) { el.remove(); });
      row.querySelectorAll(".field__error").forEach(function (el) { el.remove(); });
      row.querySelectorAll(".field--error").forEach(function (el) { el.classList.remove("field--error"); });
      row.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (el) {
        ["id", "for", "name", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/sku-\d+-/g, "sku-" + index + "-"));
        });
        el.removeAttribute("aria-invalid");
      });
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      var title = row.querySelector(".variant__title");
      if (title) title.textContent = "Variant " + (index + 1);
      list.appendChild(row);
      count.value = String(index + 1);
      var first = row.querySelector("input");
      if (first) first.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    variantPicker();
    variantRows();
  });
})();
