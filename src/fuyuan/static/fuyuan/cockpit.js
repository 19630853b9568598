// The cockpit's charts (Apache ECharts, served by the app). The data comes from the page's
// json_script block: no inline script (CSP). Every item carries the URL of its rows, so a
// click on a bar or a slice drills down. The big screen reloads itself every few minutes.
(function () {
  "use strict";

  function palette(key) {
    return { red: "#dc3545", yellow: "#ffc107", blue: "#0d6efd", green: "#198754" }[key] || null;
  }

  function drill(chart) {
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) {
        window.location.href = url;
      }
    });
  }

  function plainTooltip(params) {
    // Text only: ECharts' default tooltip markup carries inline styles the CSP refuses.
    var item = Array.isArray(params) ? params : [params];
    return item
      .map(function (p) {
        return (p.seriesName && item.length > 1 ? p.seriesName + ": " : p.name + ": ") + (p.value == null ? "—" : p.value);
      })
      .join("<br>");
  }

  function options(kind, data, dark) {
    var text = dark ? "#dee2e6" : "#212529";
    var base = {
      textStyle: { color: text },
      title: { text: data.labels[kind], textStyle: { fontSize: 14, color: text } },
      tooltip: { trigger: "item", formatter: plainTooltip, renderMode: "richText" },
      animation: false,
    };
    if (kind === "colours") {
      base.series = [{
        type: "pie",
        radius: ["40%", "70%"],
        top: 30,
        label: { formatter: "{b}: {c}", color: text },
        data: data.colours.map(function (c) {
          return { name: c.name, value: c.value, url: c.url, itemStyle: { color: palette(c.key) } };
        }),
      }];
    } else if (kind === "states") {
      base.grid = { left: 120, right: 20, top: 40, bottom: 20 };
      base.xAxis = { type: "value", minInterval: 1 };
      base.yAxis = { type: "category", inverse: true, data: data.states.map(function (s) { return s.name; }) };
      base.series = [{ type: "bar", data: data.states.map(function (s) { return { value: s.value, url: s.url }; }) }];
    } else if (kind === "ranking") {
      base.grid = { left: 150, right: 30, top: 40, bottom: 20 };
      base.xAxis = { type: "value", max: 100 };
      base.yAxis = { type: "category", inverse: true, data: data.ranking.map(function (r) { return r.name; }) };
      base.series = [{ type: "bar", data: data.ranking.map(function (r) { return { value: r.value, url: r.url }; }) }];
    } else if (kind === "trend") {
      base.tooltip = { trigger: "axis", formatter: plainTooltip, renderMode: "richText" };
      base.legend = { top: 24, textStyle: { color: text } };
      base.grid = { left: 40, right: 20, top: 60, bottom: 30 };
      base.xAxis = { type: "category", data: data.months };
      base.yAxis = { type: "value", minInterval: 1 };
      base.series = [
        { type: "line", name: data.trend.cases_label, data: data.trend.cases },
        { type: "bar", name: data.trend.finished_label, data: data.trend.finished },
      ];
    }
    return base;
  }

  function start() {
    var source = document.getElementById("cockpit-data");
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var dark = document.body.classList.contains("big-screen");
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = window.echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
      chart.setOption(options(element.getAttribute("data-chart"), data, dark));
      drill(chart);
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    var refresh = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
    if (refresh > 0) {
      window.setTimeout(function () { window.location.reload(); }, refresh * 1000);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
