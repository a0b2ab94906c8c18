/* The comment form's extras; the form works without them.
 * - Live preview: the text as it will be stored and shown, rendered by the server's own
 *   sanitizer (POST /comments/preview with the form's CSRF token), 400 ms after typing stops.
 * - "Remember me on this device": opt-in, like WordPress's cookie consent; name, e-mail and
 *   site stay in this browser's localStorage, never in a cookie the server sees. */
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form) return;
  var body = form.querySelector("#body");
  var box = form.querySelector(".comment-preview-box");
  var target = form.querySelector("#comment-preview");
  var timer = null, sent = 0;

  function showPreview() {
    var text = body.value;
    if (!text.trim()) { box.hidden = true; target.innerHTML = ""; return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("body", text);
    var mine = ++sent;
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== sent) return;  // an older answer arriving late
        box.hidden = false;
        // Server-sanitized HTML: the same policy as stored comments.
        if (answer.html !== undefined) target.innerHTML = answer.html;
        else target.textContent = answer.error || "";
      })
      .catch(function () { /* offline: the preview button still works */ });
  }
  if (body && box && target && form.dataset.previewUrl) {
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(showPreview, 400);
    });
  }

  var KEY = "blogapp.commenter";
  var remember = form.querySelector("#remember_me");
  if (!remember) return;  // logged in: nothing to remember
  var fields = ["author_name", "author_email", "author_url"];
  remember.closest("label").hidden = false;
  try {
    var saved = JSON.parse(window.localStorage.getItem(KEY) || "null");
    if (saved) {
      fields.forEach(function (name) {
        var input = form.querySelector("#" + name);
        if (input && !input.value && saved[name]) input.value = saved[name];
      });
      remember.checked = true;
    }
  } catch (e) { /* storage off or damaged: start empty */ }
  form.addEventListener("submit", function () {
    try {
      if (remember.checked) {
        var values = {};
        fields.forEach(function (name) { values[name] = form.querySelector("#" + name).value; });
        window.localStorage.setItem(KEY, JSON.stringify(values));
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (e) { /* storage off: nothing remembered */ }
  });
})();
