/* Search-as-you-type for the header's search box: the WAI-ARIA 1.2 combobox pattern
 * (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/).
 * Down/Up move through the suggestions, Enter opens the active one (or searches what was
 * typed), Escape closes the list (a second Escape clears the box); the number of
 * suggestions is announced. Asks /api/suggest 150 ms after typing stops. Without
 * JavaScript the box is a plain search form. */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form[data-suggest-url]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector("#search-suggestions");
  var status = form.querySelector("#suggest-status");
  var items = [], active = -1, timer = null, asked = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function announce(count) {
    status.textContent = count ? form.dataset.countSome.replace("{n}", count) : form.dataset.countNone;
  }

  function render(suggestions) {
    items = suggestions;
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      text.className = "suggestion-text";
      text.textContent = s.label;
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = form.dataset["kind" + s.kind.charAt(0).toUpperCase() + s.kind.slice(1)] || s.kind;
      li.appendChild(text);
      li.appendChild(kind);
      // mousedown, not click: it comes before the input's blur closes the list.
      li.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
      list.appendChild(li);
    });
    var open = suggestions.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    announce(suggestions.length);
  }

  function move(step) {
    if (!items.length) return;
    if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    var options = list.querySelectorAll("[role=option]");
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    // Positions -1 (back in the box) .. n-1, going round.
    active = (active + 1 + step + items.length + 1) % (items.length + 1) - 1;
    if (active >= 0) {
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(i) {
    close();
    window.location.assign(items[i].url);
  }

  function ask() {
    var prefix = input.value;
    if (!prefix.trim()) { render([]); close(); status.textContent = ""; return; }
    var mine = ++asked;
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(prefix), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (suggestions) { if (mine === asked) render(suggestions); })
      .catch(function () { /* offline: the form still searches */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden && !items.length) ask(); else move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Enter" && active >= 0 && !list.hidden) { event.preventDefault(); go(active); }
    else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
      else if (input.value) { event.preventDefault(); input.value = ""; items = []; }
    }
  });
  input.addEventListener("blur", close);
})();
