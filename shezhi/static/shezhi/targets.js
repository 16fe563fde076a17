/* Draws the targets dashboard's charts with the vendored Apache ECharts. The numbers come
   from the page (json_script); each chart also has them as a table beside it. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  var FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';

  function palette(wall) {
    return wall ? { text: "#e8eef7", axis: "#9fb3cc", line: "#8cc4ff", goal: "#ffb454", bar: "#4fa3ff", ok: "#4cc38a" }
                : { text: "#1f2937", axis: "#6b7280", line: "#1d4ed8", goal: "#d97706", bar: "#3b82f6", ok: "#15803d" };
  }

  function trendOption(t, c, wall) {
    var series = [{ type: "line", name: t.name, data: t.values, smooth: false, symbolSize: wall ? 8 : 5,
                    lineStyle: { width: wall ? 3 : 2, color: c.line }, itemStyle: { color: c.line } }];
    if (t.goal !== null) {
      series[0].markLine = { symbol: "none", lineStyle: { color: c.goal, type: "dashed", width: 2 },
                             label: { color: c.goal, formatter: "≥ " + t.goal + (t.unit === "%" ? "%" : "") },
                             data: [{ yAxis: t.goal }] };
    }
    return {
      textStyle: { fontFamily: FONT, color: c.text, fontSize: wall ? 18 : 12 },
      grid: { left: 48, right: wall ? 80 : 60, top: 24, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: t.dates.map(function (d) { return d.slice(0, 7); }), axisLabel: { color: c.axis } },
      yAxis: { type: "value", scale: true, axisLabel: { color: c.axis, formatter: t.unit === "%" ? "{value}%" : "{value}" },
               max: function (v) { return t.goal !== null ? Math.max(v.max, t.goal) : v.max; } },
      series: series,
      animation: false
    };
  }

  function childrenOption(children, c, wall, labels) {
    return {
      textStyle: { fontFamily: FONT, color: c.text, fontSize: wall ? 18 : 12 },
      grid: { left: 120, right: 40, top: 16, bottom: 24 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", max: 100, axisLabel: { color: c.axis, formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: children.map(function (x) { return x.name; }), axisLabel: { color: c.axis } },
      series: [{ type: "bar", name: labels.attainment, data: children.map(function (x) { return x.attainment; }),
                 itemStyle: { color: c.bar }, label: { show: true, position: "right", color: c.text, formatter: "{c}%" } }],
      animation: false
    };
  }

  ready(function () {
    if (typeof echarts === "undefined") return;
    var root = document.querySelector(".targets");
    var wall = !!(root && root.classList.contains("wall"));
    var c = palette(wall);
    var charts = [];
    var data = document.getElementById("targets-data");
    if (data) {
      var d = JSON.parse(data.textContent);
      document.querySelectorAll('[data-chart="trend"]').forEach(function (el) {
        var t = d.targets[Number(el.dataset.index)];
        var chart = echarts.init(el, null, { renderer: "canvas" });
        chart.setOption(trendOption(t, c, wall));
        charts.push(chart);
      });
      var towns = document.querySelector('[data-chart="children"]');
      if (towns && d.children.length) {
        towns.style.height = Math.max(240, d.children.length * (wall ? 40 : 26) + 40) + "px";
        var chart = echarts.init(towns, null, { renderer: "canvas" });
        chart.setOption(childrenOption(d.children, c, wall, { attainment: towns.getAttribute("aria-label") }));
        charts.push(chart);
      }
    }
    var single = document.getElementById("target-data");
    if (single) {
      var el = document.querySelector('[data-chart="single"]');
      var chart1 = echarts.init(el, null, { renderer: "canvas" });
      chart1.setOption(trendOption(JSON.parse(single.textContent), c, wall));
      charts.push(chart1);
    }
    window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
    document.documentElement.dataset.chartsReady = String(charts.length);
    // A wall screen showing today reloads itself (the page says when it was drawn).
    var live = document.querySelector("[data-refresh-seconds]");
    if (live) {
      var seconds = Number(live.dataset.refreshSeconds);
      if (seconds > 0) window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  });
})();
