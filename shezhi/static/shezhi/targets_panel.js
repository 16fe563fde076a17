/* Draws the targets dashboard's second panel (online affairs by month) with the vendored
   Apache ECharts. The numbers come from the page (json_script "targets-panel-data"); the
   panel shows them as a table too. This file is loaded (deferred) before echarts.min.js,
   so it draws on DOMContentLoaded, which fires after every deferred script has run. */
(function () {
  "use strict";
  var FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
  var done = false;

  function palette(wall) {
    return wall ? { text: "#e8eef7", axis: "#9fb3cc", bar: "#4fa3ff", online: "#4cc38a", onTime: "#ffb454" }
                : { text: "#1f2937", axis: "#6b7280", bar: "#3b82f6", online: "#15803d", onTime: "#d97706" };
  }

  function option(d, c, wall) {
    var size = wall ? 18 : 12;
    return {
      textStyle: { fontFamily: FONT, color: c.text, fontSize: size },
      legend: { top: 0, textStyle: { color: c.text, fontSize: size } },
      grid: { left: 48, right: 56, top: 36, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.months, axisLabel: { color: c.axis } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { color: c.axis } },
        { type: "value", min: 0, max: 100, axisLabel: { color: c.axis, formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        { type: "bar", name: d.labels.decided, data: d.decided, itemStyle: { color: c.bar } },
        { type: "line", name: d.labels.online_share, yAxisIndex: 1, data: d.online_share, connectNulls: true,
          lineStyle: { color: c.online, width: wall ? 3 : 2 }, itemStyle: { color: c.online } },
        { type: "line", name: d.labels.on_time_rate, yAxisIndex: 1, data: d.on_time_rate, connectNulls: true,
          lineStyle: { color: c.onTime, width: wall ? 3 : 2 }, itemStyle: { color: c.onTime } }
      ],
      animation: false
    };
  }

  function draw() {
    if (done || typeof echarts === "undefined") return;
    var data = document.getElementById("targets-panel-data");
    var el = document.querySelector('[data-chart="panel-months"]');
    if (!data || !el) return;
    done = true;
    var root = document.querySelector(".targets");
    var wall = !!(root && root.classList.contains("wall"));
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(data.textContent), palette(wall), wall));
    window.addEventListener("resize", function () { chart.resize(); });
    document.documentElement.dataset.panelChartReady = "1";
  }

  if (document.readyState === "complete") draw();
  else {
    document.addEventListener("DOMContentLoaded", draw);
    window.addEventListener("load", draw);
  }
})();
