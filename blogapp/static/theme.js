/* Loaded in <head> without defer: applies the reader's remembered light/dark choice
   before the first paint, so the page never flashes the other scheme. Without a stored
   choice (or without JavaScript) the scheme follows prefers-color-scheme in site.css. */
(function () {
  try {
    var theme = window.localStorage.getItem("theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (e) { /* storage disabled: follow the system */ }
})();
