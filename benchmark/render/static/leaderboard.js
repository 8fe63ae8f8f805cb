(function () {
  "use strict";
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  // ------------------------------------------------------------------ sorting (ranked rows only)
  function key(cell) {
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-sort-value");
    return v === null ? cell.textContent.trim() : v;
  }
  function sortTable(table, col, th) {
    var body = table.tBodies[table.tBodies.length - 1];  // reference rows stay pinned in their own tbody
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (r) { return key(r.cells[col]); });
    var numeric = keys.every(function (k) { return k === "" || isFinite(Number(k)); });
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var order = rows.map(function (r, i) { return i; });
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x === "" || y === "") { return x === y ? a - b : (x === "" ? 1 : -1); }
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return c === 0 ? a - b : (asc ? c : -c);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    order.forEach(function (i) { body.appendChild(rows[i]); });
  }
  all("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortTable(table, col, th); }); }
    });
  });

  // ------------------------------------------------------------------ filters and variant toggles
  var byName = document.getElementById("filter-name");
  var byKind = document.getElementById("filter-kind");
  var byLabels = document.getElementById("filter-labels");
  var count = document.getElementById("filter-count");
  function applyFilters() {
    var q = byName ? byName.value.trim().toLowerCase() : "";
    var k = byKind ? byKind.value : "";
    var l = byLabels ? byLabels.value : "";
    var off = all("input.variant-toggle").filter(function (c) { return !c.checked; }).map(function (c) { return c.value; });
    var shown = {};
    all("tr[data-kind]").forEach(function (tr) {
      var ok = (!q || (tr.getAttribute("data-name") || "").indexOf(q) >= 0) &&
        (!k || tr.getAttribute("data-kind") === k) && (!l || tr.getAttribute("data-labels") === l) &&
        off.indexOf(tr.getAttribute("data-variant")) < 0;
      tr.hidden = !ok;
      if (ok) { shown[tr.getAttribute("data-model")] = true; }
    });
    if (count) {
      var n = Object.keys(shown).length;
      count.textContent = (q || k || l) ? n + (n === 1 ? " system shown" : " systems shown") : "";
    }
  }
  [byName, byKind, byLabels].forEach(function (el) {
    if (el) { el.addEventListener("input", applyFilters); el.addEventListener("change", applyFilters); }
  });
  all("input.variant-toggle").forEach(function (c) { c.addEventListener("change", applyFilters); });

  // ------------------------------------------------------------------ error view: system and task pickers
  var runSelect = document.getElementById("run-select");
  var taskSelect = document.getElementById("task-select");
  function show() {
    if (!runSelect) { return; }
    var task = taskSelect ? taskSelect.value : "";
    all("section.run").forEach(function (s) {
      s.hidden = s.id !== runSelect.value;
      all(".task-view", s).forEach(function (v) { v.hidden = !!task && v.getAttribute("data-task") !== task; });
    });
  }
  function selectRun(id) {
    if (!runSelect || !document.getElementById(id)) { return false; }
    runSelect.value = id;
    show();
    return true;
  }
  if (runSelect) { runSelect.addEventListener("change", show); }
  if (taskSelect) {
    taskSelect.addEventListener("change", function () {
      var option = taskSelect.options[taskSelect.selectedIndex];
      var best = option ? option.getAttribute("data-best") : "";
      if (best) { runSelect.value = best; }
      show();
    });
  }

  // ------------------------------------------------------------------ anchors: #run-N, closed <details>
  function follow() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var run = target.closest("section.run");
    if (run) { selectRun(run.id); }
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", follow);
  show();
  follow();

  // ------------------------------------------------------------------ tap a highlighted span for its details
  document.addEventListener("click", function (event) {
    var mark = event.target.closest ? event.target.closest("mark.seg") : null;
    if (!mark) { return; }
    var view = mark.closest(".task-view");
    var info = view ? view.querySelector(".mark-info") : null;
    if (info) { info.textContent = mark.getAttribute("title"); }
  });
})();
