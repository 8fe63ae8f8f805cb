(function () {
  function key(cell) {
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-sort-value");
    return v === null ? cell.textContent.trim() : v;
  }
  function sortTable(table, col, th) {
    var body = table.tBodies[0];
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
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortTable(table, col, th); }); }
    });
  });
  var select = document.getElementById("run-select");
  if (select) {
    var show = function () {
      document.querySelectorAll("section.run").forEach(function (s) { s.hidden = s.id !== select.value; });
    };
    select.addEventListener("change", show);
    show();
  }
})();
