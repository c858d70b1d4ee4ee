// bookenrich report: draws the cards, charts, covers and book list from the JSON data block.
// Every element is built with createElement/createElementNS and every text goes in through
// textContent or setAttribute: nothing from the data is ever parsed as HTML.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  // Average width of a character of an 11px axis label, for spacing labels before they are drawn.
  var CHAR_PX = 6.2;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // ---- small helpers -------------------------------------------------------

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    setAll(node, attrs);
    append(node, children);
    return node;
  }

  function s(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAll(node, attrs);
    append(node, children);
    return node;
  }

  function setAll(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      node.setAttribute(key, value === true ? "" : String(value));
    });
  }

  function append(node, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
  }

  // A tooltip for an SVG mark: a <title> child, which browsers show on hover.
  function tip(text) {
    var t = s("title");
    t.textContent = text;
    return t;
  }

  function fmtInt(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function fmtDec(n, digits) {
    return (Math.round(n * Math.pow(10, digits)) / Math.pow(10, digits)).toFixed(digits);
  }

  function fmtSigned(n) {
    return (n > 0 ? "+" : n < 0 ? "\u2212" : "\u00b1") + fmtDec(Math.abs(n), 2);
  }

  function plural(n, one, many) {
    return fmtInt(n) + " " + (n === 1 ? one : many);
  }

  // ISO dates are formatted by hand: no time zone or locale can shift them.
  function fmtDate(iso) {
    if (!iso) return "";
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!m) return iso;
    return Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1];
  }

  function clip(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
  }

  function stars(n) {
    return "\u2605".repeat(n) + "\u2606".repeat(5 - n);
  }

  // Round-number axis ticks from 0 to at least max.
  function ticks(max, count) {
    if (max <= 0) return [0, 1];
    var raw = max / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * mag; }).filter(function (x) { return x >= raw; })[0];
    if (max >= 1 && step < 1) step = 1;
    var out = [];
    for (var v = 0; v < max + step * 0.001; v += step) out.push(Math.round(v * 1000) / 1000);
    if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
    return out;
  }

  function box(name) {
    return document.querySelector('[data-chart-box="' + name + '"]');
  }

  function empty(container, name, text) {
    container.appendChild(h("p", { class: "empty", "data-empty": name }, text));
  }

  function note(container, text) {
    container.appendChild(h("p", { class: "note" }, text));
  }

  // ---- charts --------------------------------------------------------------

  // Vertical bars. items: [{label, value, tip}]
  function columnChart(container, name, items, options) {
    var W = 560, H = 250, m = { top: 22, right: 12, bottom: 36, left: 52 };
    var iw = W - m.left - m.right, ih = H - m.top - m.bottom;
    var max = Math.max.apply(null, items.map(function (d) { return d.value; }).concat([0]));
    var yt = ticks(max, 4), top = yt[yt.length - 1];
    var svg = s("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": options.aria, "data-chart": name, "data-kind": "columns" });
    yt.forEach(function (t) {
      var y = m.top + ih - (t / top) * ih;
      svg.appendChild(s("line", { class: "gridline", x1: m.left, x2: W - m.right, y1: y, y2: y }));
      svg.appendChild(s("text", { class: "tick-label", x: m.left - 6, y: y + 4, "text-anchor": "end" }, fmtInt(t)));
    });
    var band = iw / items.length, bw = Math.max(2, Math.min(48, band * 0.7));
    var labelled = labelledIndexes(items.map(function (d) { return axisLines(d.label); }), band);
    items.forEach(function (d, i) {
      var x = m.left + band * i + (band - bw) / 2;
      var bh = (d.value / top) * ih;
      var rect = s("rect", {
        class: "mark" + (options.alt ? " alt" : ""), x: x, y: m.top + ih - bh, width: bw, height: bh,
        "data-series": name, "data-label": d.label, "data-value": d.value
      }, tip(d.tip));
      svg.appendChild(rect);
      if (items.length <= 16 && d.value > 0) {
        svg.appendChild(s("text", { class: "value-label", x: x + bw / 2, y: m.top + ih - bh - 5, "text-anchor": "middle" },
          fmtInt(d.value)));
      }
      if (labelled[i]) {
        var lines = axisLines(d.label);
        svg.appendChild(s("text", { class: "tick-label", x: x + bw / 2, y: H - m.bottom + 16, "text-anchor": "middle", "data-axis-label": d.label },
          lines.map(function (line, j) {
            return s("tspan", { x: x + bw / 2, dy: j ? 13 : 0 }, line);
          })));
      }
    });
    svg.appendChild(s("line", { class: "axis", x1: m.left, x2: W - m.right, y1: m.top + ih, y2: m.top + ih }));
    container.appendChild(svg);
  }

  // An axis label as lines: "Medium (200-350)" becomes "Medium" over "200-350", so category
  // labels fit their column; a year stays one line.
  function axisLines(label) {
    var m = /^(.*\S)\s+\((.*)\)$/.exec(String(label));
    return m ? [m[1], m[2]] : [String(label)];
  }

  // Which columns get an axis label: every one when the labels fit side by side, else every n-th,
  // always the first and the last (and none so close to the last that the two would touch).
  function labelledIndexes(labels, band) {
    var widest = Math.max.apply(null, labels.map(function (lines) {
      return Math.max.apply(null, lines.map(function (l) { return l.length; }));
    }));
    var step = Math.max(1, Math.ceil((widest * CHAR_PX + 6) / band));
    var last = labels.length - 1;
    return labels.map(function (_, i) {
      return i === 0 || i === last || (i % step === 0 && last - i >= step);
    });
  }

  // Equal bars say nothing: the names as a list under one sentence instead, each entry carrying
  // the chart's data attributes. items: [{label, value, key}]
  function tiesList(container, name, items, sentence) {
    container.appendChild(h("p", { class: "note ties" }, sentence));
    container.appendChild(h("ul", { class: "chips", "data-chart": name }, items.map(function (d) {
      return h("li", { "data-series": name, "data-label": d.key === undefined ? d.label : d.key, "data-value": d.value }, d.label);
    })));
  }

  function allEqual(items) {
    return items.length > 1 && items.every(function (d) { return d.value === items[0].value; });
  }

  // Horizontal bars. items: [{label, value, tip, text, key}]; key (default label) goes into data-label.
  function barChart(container, name, items, options) {
    var row = 26, W = 560, m = { top: 6, right: 56, bottom: 6, left: options.labelWidth || 170 };
    var H = m.top + m.bottom + row * items.length, iw = W - m.left - m.right;
    var max = Math.max.apply(null, items.map(function (d) { return d.value; }).concat([1]));
    var svg = s("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": options.aria, "data-chart": name });
    items.forEach(function (d, i) {
      var y = m.top + row * i, bw = (d.value / max) * iw;
      svg.appendChild(s("text", { x: m.left - 8, y: y + row / 2 + 4, "text-anchor": "end" },
        [clip(d.label, options.clip || 26), tip(d.label)]));
      svg.appendChild(s("rect", {
        class: "mark" + (options.alt ? " alt" : ""), x: m.left, y: y + 4, width: Math.max(bw, d.value > 0 ? 2 : 0),
        height: row - 8, rx: 2, "data-series": name, "data-label": d.key === undefined ? d.label : d.key, "data-value": d.value
      }, tip(d.tip)));
      svg.appendChild(s("text", { class: "value-label", x: m.left + bw + 6, y: y + row / 2 + 4 }, d.text));
    });
    container.appendChild(svg);
  }

  function booksPerYear(data) {
    var c = box("books-per-year");
    if (!data.per_year.length) return empty(c, "books-per-year", "No read books with a date read.");
    var items = data.per_year.map(function (y) {
      return { label: String(y.year), value: y.books, tip: y.year + ": " + plural(y.books, "book", "books") };
    });
    if (allEqual(items)) return tiesList(c, "books-per-year", items, plural(items[0].value, "book", "books") + " read in each of these years:");
    columnChart(c, "books-per-year", items, { aria: "Books read per year" });
  }

  function pagesPerYear(data) {
    var c = box("pages-per-year");
    if (!data.per_year.some(function (y) { return y.pages > 0; })) {
      return empty(c, "pages-per-year", "No page counts for the read books.");
    }
    columnChart(c, "pages-per-year", data.per_year.map(function (y) {
      return { label: String(y.year), value: y.pages, tip: y.year + ": " + plural(y.pages, "page", "pages") };
    }), { aria: "Pages read per year", alt: true });
  }

  function ratingDistribution(data) {
    var c = box("rating-distribution");
    var total = data.ratings.stars.reduce(function (a, r) { return a + r.count; }, 0);
    if (!total) return empty(c, "rating-distribution", "No rated books.");
    var items = data.ratings.stars.slice().reverse().map(function (r) {
      var pct = total ? (r.count / total) * 100 : 0;
      return {
        key: r.stars, label: stars(r.stars), value: r.count, text: fmtInt(r.count) + " (" + fmtDec(pct, 0) + "%)",
        tip: r.stars + " stars: " + plural(r.count, "book", "books")
      };
    });
    barChart(c, "rating-distribution", items, { aria: "Books per star rating", labelWidth: 90, clip: 10, alt: true });
    if (data.ratings.unrated) note(c, plural(data.ratings.unrated, "book", "books") + " without my rating.");
  }

  function ratingVsCommunity(data) {
    var c = box("rating-vs-community");
    var pairs = data.rating_pairs;
    if (!pairs.points.length) return empty(c, "rating-vs-community", "No books with both my rating and a community average.");
    var W = 560, H = 300, m = { top: 12, right: 16, bottom: 40, left: 52 };
    var iw = W - m.left - m.right, ih = H - m.top - m.bottom;
    function x(v) { return m.left + ((v - 1) / 4) * iw; }
    function y(v) { return m.top + ih - ((v - 1) / 4) * ih; }
    var svg = s("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "My rating against the community average", "data-chart": "rating-vs-community" });
    for (var v = 1; v <= 5; v++) {
      svg.appendChild(s("line", { class: "gridline", x1: m.left, x2: W - m.right, y1: y(v), y2: y(v) }));
      svg.appendChild(s("line", { class: "gridline", x1: x(v), x2: x(v), y1: m.top, y2: m.top + ih }));
      svg.appendChild(s("text", { class: "tick-label", x: m.left - 8, y: y(v) + 4, "text-anchor": "end" }, v + "\u2605"));
      svg.appendChild(s("text", { class: "tick-label", x: x(v), y: m.top + ih + 16, "text-anchor": "middle" }, String(v)));
    }
    svg.appendChild(s("line", { class: "diagonal", x1: x(1), y1: y(1), x2: x(5), y2: y(5) }));
    svg.appendChild(s("text", { class: "axis-label", x: m.left + iw / 2, y: H - 4, "text-anchor": "middle" }, "Community average"));
    svg.appendChild(s("text", { class: "axis-label", x: 12, y: m.top + ih / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (m.top + ih / 2) + ")" }, "My rating"));
    pairs.points.forEach(function (p) {
      var community = Math.min(5, Math.max(1, p.community));
      svg.appendChild(s("circle", {
        class: "mark", cx: x(community), cy: y(p.mine), r: 5,
        "data-series": "rating-vs-community", "data-label": p.title, "data-value": p.mine + "/" + p.community
      }, tip(p.title + " \u2014 " + p.author + ": mine " + p.mine + ", community " + fmtDec(p.community, 2))));
    });
    c.appendChild(svg);
    note(c, "On average I rate " + fmtSigned(pairs.mean_difference) + " stars against the community (" +
      plural(pairs.higher, "book", "books") + " higher, " + fmtInt(pairs.lower) + " lower). Above the dashed line: I liked it more.");
  }

  function fictionSplit(data) {
    var c = box("fiction-split");
    var f = data.fiction_split;
    var parts = [
      { key: "fiction", label: "Fiction", value: f.fiction },
      { key: "nonfiction", label: "Nonfiction", value: f.nonfiction },
      { key: "both", label: "Both", value: f.both },
      { key: "unclassified", label: "Other genres only", value: f.unclassified },
      { key: "no-genres", label: "No genres", value: f.no_genres }
    ];
    var total = parts.reduce(function (a, p) { return a + p.value; }, 0);
    if (!total || f.no_genres === total) {
      return empty(c, "fiction-split", "No genres yet: run bookenrich enrich with the catalogues to add them.");
    }
    var W = 1120, H = 40, left = 0;
    var svg = s("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Fiction and nonfiction split", "data-chart": "fiction-split" });
    var legend = h("ul", { class: "legend" });
    parts.forEach(function (p) {
      if (!p.value) return;
      var w = (p.value / total) * W, pct = (p.value / total) * 100;
      svg.appendChild(s("rect", {
        class: "mark seg-" + p.key, x: left, y: 4, width: w, height: H - 8,
        "data-series": "fiction-split", "data-label": p.label, "data-value": p.value
      }, tip(p.label + ": " + plural(p.value, "book", "books") + " (" + fmtDec(pct, 0) + "%)")));
      if (w > 44) {
        svg.appendChild(s("text", { x: left + w / 2, y: H / 2 + 4, "text-anchor": "middle", class: "seg-text" }, fmtDec(pct, 0) + "%"));
      }
      legend.appendChild(h("li", null, [h("span", { class: "swatch seg-" + p.key }), p.label + " " + fmtInt(p.value)]));
      left += w;
    });
    c.appendChild(svg);
    c.appendChild(legend);
  }

  function topGenres(data) {
    var c = box("top-genres");
    if (!data.top_genres.length) {
      return empty(c, "top-genres", "No genres besides Fiction/Nonfiction yet.");
    }
    var items = data.top_genres.map(function (g) {
      return { label: g.name, value: g.count, text: fmtInt(g.count), tip: g.name + ": " + plural(g.count, "book", "books") };
    });
    if (allEqual(items)) {
      tiesList(c, "top-genres", items, "Each of these genres is on " + plural(items[0].value, "book", "books") + ":");
    } else {
      barChart(c, "top-genres", items, { aria: "Most common genres" });
    }
    note(c, "Fiction and Nonfiction are shown in their own chart.");
  }

  function topAuthors(data) {
    var c = box("top-authors");
    if (!data.top_authors.length) return empty(c, "top-authors", "No read books.");
    var items = data.top_authors.map(function (a) {
      var rating = a.average_rating === null ? "not rated" : "my average " + fmtDec(a.average_rating, 1) + "\u2605";
      return {
        label: a.name, value: a.books, text: fmtInt(a.books),
        tip: a.name + ": " + plural(a.books, "book", "books") + ", " + plural(a.pages, "page", "pages") + ", " + rating
      };
    });
    if (!allEqual(items)) {
      return barChart(c, "top-authors", items, { aria: "Authors with the most read books", alt: true });
    }
    var more = data.headline.unique_authors - items.length;
    tiesList(c, "top-authors", items, (items[0].value === 1 ? "No author twice: " : "") +
      "each has " + plural(items[0].value, "read book", "read books") + "." +
      (more > 0 ? " The " + fmtInt(items.length) + " with the most pages, of " + fmtInt(data.headline.unique_authors) + ":" : ""));
  }

  function pageLengths(data) {
    var c = box("page-lengths");
    if (!data.page_lengths.some(function (p) { return p.count > 0; })) return empty(c, "page-lengths", "No read books.");
    columnChart(c, "page-lengths", data.page_lengths.map(function (p) {
      return { label: p.name, value: p.count, tip: p.name + ": " + plural(p.count, "book", "books") };
    }), { aria: "Read books by length" });
  }

  // ---- cards, covers, table, footer ---------------------------------------

  function cards(data) {
    var hl = data.headline, c = document.getElementById("cards");
    function card(name, value, label, detail) {
      // Long numbers ("1,664,504") in a smaller size, so they stay inside a narrow card.
      c.appendChild(h("div", { class: "card", "data-card": name }, [
        h("div", { class: value.length > 7 ? "value long" : "value" }, value),
        h("div", { class: "label" }, label),
        detail ? h("div", { class: "detail" }, detail) : null
      ]));
    }
    card("books-read", fmtInt(hl.books_read), "books read",
      hl.total_books !== hl.books_read ? fmtInt(hl.total_books) + " books in the dashboard" : null);
    card("pages-read", fmtInt(hl.pages_read), "pages read",
      hl.books_read ? "about " + fmtInt(hl.pages_read / Math.max(1, hl.books_read)) + " per book" : null);
    card("average-rating", hl.average_rating === null ? "\u2013" : fmtDec(hl.average_rating, 2), "average rating",
      plural(hl.rated_books, "rated book", "rated books"));
    card("enrichment-rate", fmtDec(hl.enrichment_rate, 0) + "%", "with genres",
      fmtInt(hl.enriched_books) + " of " + fmtInt(hl.total_books));
    card("rereads", fmtInt(hl.rereads), "re-reads",
      hl.rereads ? plural(hl.reread_reads, "read", "reads") + " in all" : null);
    var top = data.top_authors[0];
    card("authors", fmtInt(hl.unique_authors), "authors",
      top && top.books > 1 ? "most read: " + top.name + " (" + fmtInt(top.books) + ")"
        : top && hl.books_read > 1 ? "none read twice" : null);
    var sub = document.getElementById("subtitle");
    sub.textContent = hl.first_read
      ? plural(hl.books_read, "book", "books") + " read from " + fmtDate(hl.first_read) + " to " + fmtDate(hl.last_read) + "."
      : "No read books with a date read.";
  }

  function covers(data) {
    if (!data.covers.length) return;
    var strip = document.getElementById("covers");
    data.covers.forEach(function (cv) {
      var alt = cv.title + " by " + cv.author;
      var img = h("img", { alt: alt, title: alt, loading: "lazy", decoding: "async", referrerpolicy: "no-referrer", width: 84, height: 126 });
      var caption = h("figcaption", null, cv.title);
      // Without the image, the tile itself carries the title (in full) and the author; the
      // caption would only repeat the title.
      img.addEventListener("error", function () {
        img.replaceWith(h("div", { class: "placeholder", title: alt }, [
          h("span", { class: "placeholder-title" }, cv.title),
          h("span", { class: "placeholder-author" }, cv.author)
        ]));
        caption.remove();
      });
      img.src = cv.url;
      strip.appendChild(h("figure", { class: "cover" }, [img, caption]));
    });
    document.getElementById("covers-section").hidden = false;
  }

  function books(data) {
    var body = document.querySelector("#books tbody");
    var rows = data.books.map(function (b) {
      var titleCell = h("td", null, [b.title]);
      if (b.shelf && b.shelf !== "read") titleCell.appendChild(h("span", { class: "badge" }, b.shelf));
      if (b.reads > 1) titleCell.appendChild(h("span", { class: "badge" }, "read " + b.reads + "\u00d7"));
      if (b.review) {
        titleCell.appendChild(h("details", { class: "review" }, [
          h("summary", null, b.spoilers ? "My review (spoilers)" : "My review"),
          h("p", null, b.review)
        ]));
      }
      var tr = h("tr", null, [
        titleCell,
        h("td", null, b.author),
        h("td", { class: "num" }, fmtDate(b.date_read)),
        h("td", { class: "num" }, b.my_rating ? h("span", { class: "stars", title: b.my_rating + " stars" }, stars(b.my_rating)) : ""),
        h("td", { class: "num" }, b.average_rating === null ? "" : fmtDec(b.average_rating, 2)),
        h("td", { class: "num" }, b.pages === null ? "" : fmtInt(b.pages)),
        b.genres.length
          ? h("td", { class: "genre-list" }, b.genres.join(", "))
          : h("td", { class: "genre-list" }, h("span", { class: "no-genres", title: "The catalogues gave no genre for this book" }, "no genres"))
      ]);
      body.appendChild(tr);
      return { tr: tr, text: [b.title, b.author, b.genres.join(" "), b.shelf || ""].join(" ").toLowerCase() };
    });
    var count = document.getElementById("books-count");
    var input = document.getElementById("book-filter");
    function apply() {
      var q = input.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (r) {
        var show = !q || r.text.indexOf(q) !== -1;
        r.tr.hidden = !show;
        if (show) shown++;
      });
      count.textContent = q ? "showing " + fmtInt(shown) + " of " + fmtInt(rows.length) : plural(rows.length, "book", "books");
    }
    input.addEventListener("input", apply);
    apply();
  }

  function footer(data) {
    var src = data.source;
    document.getElementById("footer").textContent = "Made by bookenrich report from dashboard " + src.export_id +
      " (" + src.exporter_version + ", exported " + src.export_timestamp + "). Private notes are never included.";
  }

  var data = JSON.parse(document.getElementById("report-data").textContent);
  cards(data);
  booksPerYear(data);
  pagesPerYear(data);
  ratingDistribution(data);
  ratingVsCommunity(data);
  fictionSplit(data);
  topGenres(data);
  topAuthors(data);
  pageLengths(data);
  covers(data);
  books(data);
  footer(data);
  // Marks a complete render, for people and for the browser test.
  document.documentElement.setAttribute("data-report", "ready");
})();
