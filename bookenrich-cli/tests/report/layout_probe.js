// Layout probe for the report's browser tests (injected by tests/report_browser.rs, never shipped):
// once the page has loaded (covers loaded or failed), it measures the rendered page with
// getBoundingClientRect/getBBox and writes what it found into <html data-layout="{json}">.
window.addEventListener("load", function () {
  "use strict";
  var problems = [];
  var TOLERANCE = 1; // px: rounding of sub-pixel layout

  function describe(el) {
    var chart = el.closest("[data-chart-box]");
    var where = chart ? chart.getAttribute("data-chart-box") : el.closest(".card") ? "card " + el.closest(".card").getAttribute("data-card") : "";
    return where + " <" + el.tagName.toLowerCase() + "> " + JSON.stringify((el.textContent || "").slice(0, 40));
  }

  function overlap(a, b) {
    return a.left < b.right - TOLERANCE && b.left < a.right - TOLERANCE &&
      a.top < b.bottom - TOLERANCE && b.top < a.bottom - TOLERANCE;
  }

  function inside(inner, outer) {
    return inner.left >= outer.left - TOLERANCE && inner.right <= outer.right + TOLERANCE &&
      inner.top >= outer.top - TOLERANCE && inner.bottom <= outer.bottom + TOLERANCE;
  }

  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }

  // No panel or headline card is more than half empty: the lowest of its contents reaches at
  // least half way down its content box.
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".panel, .card")).filter(shown);
  boxes.forEach(function (box) {
    var r = box.getBoundingClientRect(), st = getComputedStyle(box);
    var top = r.top + parseFloat(st.borderTopWidth) + parseFloat(st.paddingTop);
    var bottom = r.bottom - parseFloat(st.borderBottomWidth) - parseFloat(st.paddingBottom);
    var lowest = top;
    Array.prototype.forEach.call(box.querySelectorAll("*"), function (el) {
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") return;
      if (shown(el)) lowest = Math.max(lowest, el.getBoundingClientRect().bottom);
    });
    var filled = (lowest - top) / Math.max(1, bottom - top);
    if (filled < 0.5) {
      problems.push("more than half empty (" + Math.round(filled * 100) + "% filled): " + (box.id || box.getAttribute("data-card")));
    }
  });

  // An SVG chart's drawing covers at least half of its area in each direction.
  var charts = Array.prototype.slice.call(document.querySelectorAll("svg[data-chart]"));
  charts.forEach(function (svg) {
    var vb = svg.viewBox.baseVal, bb = svg.getBBox();
    if (bb.width / vb.width < 0.5 || bb.height / vb.height < 0.5) {
      problems.push("chart " + svg.getAttribute("data-chart") + " draws on " + Math.round(bb.width / vb.width * 100) +
        "% x " + Math.round(bb.height / vb.height * 100) + "% of its area");
    }
  });

  // Axis labels: a column chart labels its first and last column, and every column when there are
  // at most 12; the value axis has at least two ticks.
  var axes = {};
  charts.forEach(function (svg) {
    var name = svg.getAttribute("data-chart");
    var columns = Array.prototype.map.call(svg.querySelectorAll("rect.mark"), function (m) { return m.getAttribute("data-label"); });
    var labelled = Array.prototype.map.call(svg.querySelectorAll("text[data-axis-label]"), function (t) { return t.getAttribute("data-axis-label"); });
    var valueTicks = svg.querySelectorAll("text.tick-label:not([data-axis-label])").length;
    if (svg.getAttribute("data-kind") === "columns") {
      axes[name] = labelled;
      var must = columns.length <= 12 ? columns : [columns[0], columns[columns.length - 1]];
      must.forEach(function (c) {
        if (labelled.indexOf(c) === -1) problems.push("chart " + name + ": column " + c + " has no axis label");
      });
      if (valueTicks < 2) problems.push("chart " + name + ": " + valueTicks + " value-axis labels");
    }
  });

  // No two texts overlap: within each chart (SVG text), within each card, the chips, the legend;
  // and no chart text leaves its panel.
  function noOverlap(texts, what) {
    var rects = texts.filter(shown).map(function (t) { return { el: t, r: t.getBoundingClientRect() }; });
    for (var i = 0; i < rects.length; i++) {
      for (var j = i + 1; j < rects.length; j++) {
        if (overlap(rects[i].r, rects[j].r)) {
          problems.push(what + ": " + describe(rects[i].el) + " overlaps " + describe(rects[j].el));
        }
      }
    }
  }
  var texts = 0;
  charts.forEach(function (svg) {
    var list = Array.prototype.slice.call(svg.querySelectorAll("text"));
    texts += list.length;
    noOverlap(list, "chart " + svg.getAttribute("data-chart"));
    var panel = svg.closest(".panel").getBoundingClientRect();
    list.filter(shown).forEach(function (t) {
      if (!inside(t.getBoundingClientRect(), panel)) problems.push("text outside its panel: " + describe(t));
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".card"), function (card) {
    noOverlap(Array.prototype.slice.call(card.children), "card");
    Array.prototype.forEach.call(card.children, function (c) {
      if (c.scrollWidth > c.clientWidth + TOLERANCE) problems.push("text wider than its card: " + describe(c));
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".chips, .legend"), function (list) {
    noOverlap(Array.prototype.slice.call(list.children), "list");
  });

  // Covers: one title per box, whether the image loaded or not.
  var covers = Array.prototype.slice.call(document.querySelectorAll("figure.cover"));
  var placeholders = 0, pending = 0;
  covers.forEach(function (fig) {
    // Each text of the box (its leaf elements') once: a title shown twice is a repeated text.
    var texts = Array.prototype.filter.call(fig.querySelectorAll("*"), function (el) {
      return el.children.length === 0 && el.textContent.trim() !== "";
    }).map(function (el) { return el.textContent.trim(); });
    var repeated = texts.filter(function (t, i) { return texts.indexOf(t) !== i; });
    if (!texts.length || repeated.length) {
      problems.push("cover box showing " + JSON.stringify(texts) + ": " + describe(fig));
    }
    if (fig.querySelector(".placeholder")) placeholders++;
    var img = fig.querySelector("img");
    if (img && !(img.complete && img.naturalWidth > 0)) pending++;
  });

  document.documentElement.setAttribute("data-layout", JSON.stringify({
    problems: problems,
    panels: boxes.length,
    charts: charts.length,
    texts: texts,
    axes: axes,
    covers: covers.length,
    placeholders: placeholders,
    pending_covers: pending,
    no_genres_markers: document.querySelectorAll("#books .no-genres").length
  }));
});
