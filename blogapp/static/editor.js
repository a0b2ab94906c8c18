/* The post editor's enhancements (templates/authoring/edit.html); the form works without
   them, its 预览 button rendering the same preview on the server.
   - Live preview: the Markdown is posted (with the CSRF token) to the server's renderer
     400 ms after the author stops typing, and shown beside the form.
   - Tag suggestions: the datalist offers existing tags after the last comma.
   - "Unsaved changes": leaving the page with edits not saved asks first.
   - Image upload: sent in the background, its Markdown inserted at the cursor. */
(function () {
  "use strict";
  var form = document.getElementById("post-editor");
  if (!form) return;
  var token = form.querySelector("input[name=csrf_token]");

  function setupPreview() {
    var body = form.querySelector("textarea[name=body]");
    var section = document.querySelector(".preview");
    var target = document.getElementById("preview-body");
    var status = document.getElementById("preview-status");
    if (!body || !section || !target || !window.fetch) return;
    var timer = null, sent = null, inFlight = null;

    // Keep the part being typed in view: the preview scrolls (when it is a scrolling box,
    // beside the form) to where the cursor stands in the text.
    function follow() {
      var ratio = body.value.length ? body.selectionStart / body.value.length : 0;
      section.scrollTop = ratio * (section.scrollHeight - section.clientHeight);
    }

    function refresh(typed) {
      var text = body.value;
      if (text === sent) return;
      sent = text;
      if (inFlight && inFlight.abort) inFlight.abort();
      inFlight = window.AbortController ? new AbortController() : null;
      var data = new URLSearchParams();
      data.append("body", text);
      data.append("csrf_token", token ? token.value : "");
      // A session that ended redirects to the login page: an error here, not a preview.
      window.fetch(form.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin", redirect: "error",
        headers: {"Accept": "application/json"}, signal: inFlight ? inFlight.signal : undefined
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (answer) {
        // Rendered and sanitized by the server (bleach), as the saved article will be.
        target.innerHTML = answer.html;
        status.textContent = "";
        if (typed === true) follow();
      }).catch(function (error) {
        if (error && error.name === "AbortError") return;
        sent = null;  // try again on the next keystroke
        status.textContent = form.getAttribute("data-preview-failed");
      });
    }

    section.hidden = false;
    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { refresh(true); }, 400);
    });
    refresh();
  }

  function setupTagSuggestions() {
    var input = form.querySelector("input[name=tags]");
    var list = document.getElementById("tag-options");
    if (!input || !list) return;
    var names = Array.prototype.map.call(list.options, function (option) { return option.value; });
    input.addEventListener("input", function () {
      // Everything up to the last comma (ASCII or full-width) and the spaces after it.
      var match = input.value.match(/^(.*[,，]\s*)/);
      var head = match ? match[1] : "";
      var chosen = head.split(/[,，]/).map(function (name) { return name.trim().toLowerCase(); });
      list.textContent = "";
      names.forEach(function (name) {
        if (chosen.indexOf(name.toLowerCase()) !== -1) return;
        var option = document.createElement("option");
        option.value = head + name;
        list.appendChild(option);
      });
    });
  }

  function setupUnsavedWarning() {
    var state = function () { return new URLSearchParams(new FormData(form)).toString(); };
    var saved = state();
    // A page shown again after a refused save or a preview holds text that is not saved.
    var dirty = form.getAttribute("data-dirty") === "true";
    var leaving = false;
    form.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (leaving || !(dirty || state() !== saved)) return;
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    });
  }

  function setupUpload() {
    var upload = document.querySelector("form.media-upload");
    var body = form.querySelector("textarea[name=body]");
    if (!upload || !body || !window.fetch || !window.FormData) return;
    var input = upload.querySelector("input[type=file]");
    var status = upload.querySelector("[role=status]");
    var say = function (name) { status.textContent = upload.getAttribute(name); };

    upload.addEventListener("submit", function (event) {
      event.preventDefault();  // handled here: the page, and the text, stay
      var file = input.files && input.files[0];
      if (!file) return;
      if (file.size > Number(upload.getAttribute("data-max-bytes"))) { say("data-too-big"); return; }
      status.textContent = "…";
      window.fetch(upload.action, {
        method: "POST", body: new FormData(upload), credentials: "same-origin",
        redirect: "error", headers: {"Accept": "application/json"}
      }).then(function (response) {
        // The server's message when it gave one (too big, not an image...), else ours.
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok && answer.markdown) return answer;
          throw {ours: true, message: answer.error || upload.getAttribute("data-failed")};
        });
      }).then(function (answer) {
        insertAtCursor(body, answer.markdown);
        input.value = "";
        say("data-inserted");
      }).catch(function (error) {
        if (error && error.ours) status.textContent = error.message;
        else say("data-failed");
      });
    });
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    // A paragraph of its own: right after a line of text or a table row, Markdown would
    // take the image as part of that paragraph or table.
    var head = value.slice(0, start), tail = value.slice(end);
    var before = !head || /\n\n$/.test(head) ? "" : (/\n$/.test(head) ? "\n" : "\n\n");
    var after = !tail || /^\n/.test(tail) ? "\n" : "\n\n";
    var insert = before + text + after;
    textarea.value = value.slice(0, start) + insert + value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + insert.length;
    textarea.focus();
    // As if typed: the preview refreshes and the page counts as changed.
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
  }

  setupPreview();
  setupTagSuggestions();
  setupUnsavedWarning();
  setupUpload();
}());
