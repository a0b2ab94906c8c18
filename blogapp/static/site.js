/* Progressive enhancements; every page works without them.
   - The light/dark toggle (remembered in localStorage; theme.js applies it early).
   - A copy button on every code block, announced through the page's live region. */
(function () {
  "use strict";
  var root = document.documentElement;
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function isDark() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return !!(dark && dark.matches);
  }

  function setupThemeToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    var sync = function () { button.setAttribute("aria-pressed", isDark() ? "true" : "false"); };
    sync();
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem("theme", next); } catch (e) { /* not remembered */ }
      sync();
    });
    if (dark && dark.addEventListener) dark.addEventListener("change", sync);
  }

  function announce(status, text) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function setupCopyButtons() {
    var status = document.getElementById("live-status");
    if (!status) return;
    var label = status.getAttribute("data-copy");
    var done = status.getAttribute("data-copied");
    var failed = status.getAttribute("data-copy-failed");
    var blocks = document.querySelectorAll(".code-block");
    Array.prototype.forEach.call(blocks, function (block) {
      var code = block.querySelector("pre code");
      if (!code) return;
      var head = block.querySelector(".code-head");
      if (!head) {
        head = document.createElement("div");
        head.className = "code-head";
        block.insertBefore(head, block.firstChild);
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.textContent = label;
      var language = block.getAttribute("data-lang");
      if (language) button.setAttribute("aria-label", label + " " + language);
      button.addEventListener("click", function () {
        copyText(code.textContent.replace(/\n$/, "")).then(function () {
          button.textContent = done;
          announce(status, done);
          window.setTimeout(function () { button.textContent = label; }, 2000);
        }, function () {
          announce(status, failed);
        });
      });
      head.appendChild(button);
    });
  }

  function ready() {
    setupThemeToggle();
    setupCopyButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
