// The pages' one script (no inline handlers: the content security policy allows none).
// A select marked data-submit-on-change sends its form when changed (the language switch).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
    target.form.submit();
  }
});

// A table that scrolls inside its own box on a narrow screen can be scrolled with the keyboard:
// it takes the focus (tabindex 0) while it is wider than its box, and gives it back after.
function markScrollableTables() {
  var tables = document.querySelectorAll("main table, main .table-scroll");
  for (var i = 0; i < tables.length; i++) {
    var box = tables[i];
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-scrolls", "");
    } else if (!scrolls && box.hasAttribute("data-scrolls")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("data-scrolls");
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);
document.addEventListener("htmx:afterSettle", markScrollableTables);
