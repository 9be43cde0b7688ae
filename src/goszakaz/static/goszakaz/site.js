// The pages' one script (no inline handlers: the content security policy allows none).
// A select marked data-submit-on-change sends its form when changed (the language switch).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
    target.form.submit();
  }
});
