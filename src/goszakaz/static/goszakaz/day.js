// The preschool's day (web/preschool_day.html): a key per mark on the focused child, on a Latin,
// Russian or Kazakh layout (the letter, or the physical key: П is where G is, Б where ",", Н
// where Y, О where J; 1-4 too); the arrow keys move between children. The change is posted by
// htmx (hx-post on the row) and the server answers with the row. Without this script the page
// is a plain form with a "Save the day" button. The keys shown on the page: web/day_views.KEYS.
(function () {
  "use strict";
  var MARKS = {
    P: { keys: ["п", "p", "g", "1"], codes: ["KeyG", "KeyP", "Digit1", "Numpad1"] },
    S: { keys: ["б", "s", "b", "2"], codes: ["Comma", "KeyS", "KeyB", "Digit2", "Numpad2"] },
    A: { keys: ["н", "a", "y", "3"], codes: ["KeyY", "KeyA", "Digit3", "Numpad3"] },
    V: { keys: ["о", "v", "j", "4"], codes: ["KeyJ", "KeyV", "Digit4", "Numpad4"] }
  };
  var table = document.getElementById("day");
  if (!table) { return; }
  document.documentElement.classList.add("day-js");

  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tr[data-child]")); }
  function enhance() {
    rows().forEach(function (row) {
      row.tabIndex = 0;
      row.querySelectorAll("input[type=radio]").forEach(function (input) { input.tabIndex = -1; });
    });
  }
  function markOf(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return null; }
    var key = (event.key || "").toLowerCase(), code;
    for (code in MARKS) { if (MARKS[code].keys.indexOf(key) >= 0) { return code; } }
    for (code in MARKS) { if (MARKS[code].codes.indexOf(event.code) >= 0) { return code; } }
    return null;
  }
  function move(row, step) {
    var all = rows(), i = all.indexOf(row) + step;
    if (i >= 0 && i < all.length) { all[i].focus(); }
  }
  table.addEventListener("keydown", function (event) {
    var row = event.target.closest ? event.target.closest("tr[data-child]") : null;
    if (!row) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(row, event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      var all = rows();
      (event.key === "Home" ? all[0] : all[all.length - 1]).focus();
      return;
    }
    var mark = markOf(event);
    if (!mark) { return; }
    event.preventDefault();
    var input = row.querySelector("input[type=radio][value=" + mark + "]");
    if (!input || input.disabled) { return; }
    move(row, 1);
    if (!input.checked) {
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    enhance();
    if (event.detail && event.detail.target && event.detail.target.id === "day-rows") {
      var first = table.querySelector("tr[data-child]:not(.closed)");
      if (first) { first.focus(); }
    }
  });
  enhance();
})();
