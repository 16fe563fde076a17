// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
});

// One menu open at a time; a click elsewhere or Escape closes it.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.navmenu[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details.navmenu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
  }
});
