// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Confirm before an irreversible action: forms marked data-confirm="question".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Copy buttons: <button data-copy="#id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () {
        var status = document.getElementById(button.getAttribute("aria-controls") || "") || button;
        var old = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = old; }, 1500);
      });
    } else if (source.select) {
      source.select();
    }
  });
  // After a refused form, start at the list of what to correct (it links to each field).
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    // A link to a field puts the cursor in it, not only the field in view.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        // A field in a collapsed section (a comment box): open the section first.
        for (var box = field.closest("details"); box; box = box.parentElement.closest("details")) {
          box.open = true;
        }
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }
  // A long menu (the time zones) with a search box: typing narrows the menu to the options
  // whose words or value match, and picks the first match if the chosen one is hidden.
  document.querySelectorAll("[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) return;
    var box = input.closest("[hidden]");
    if (box) box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
        var text = (option.textContent + " " + option.value.replace(/_/g, " ")).toLowerCase();
        var shown = words.every(function (word) { return text.indexOf(word) >= 0; });
        option.hidden = !shown;
        if (shown && !first) first = option;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      var chosen = select.options[select.selectedIndex];
      if (first && (!chosen || chosen.hidden)) first.selected = true;
    });
  });
  // Select the new API token so it can be copied at once.
  var token = document.getElementById("new-token");
  if (token) { token.focus(); token.select(); }
})();
