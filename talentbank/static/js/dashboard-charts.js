// Supply-and-demand dashboard: draws the bar charts with the bundled Chart.js (static/vendor/chartjs/)
// from the page's JSON block. Without JavaScript the chart boxes stay hidden and the tables beside them
// carry the same figures.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var figures = JSON.parse(source.textContent);
  var colours = { people: "#0b5f8a", verified_people: "#3f9b6a", seats: "#c2410c" };
  var Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#1c2430";

  function tooltipLabel(context) {
    var value = context.raw === null ? figures.withheld : context.raw;
    return context.dataset.label + ": " + value;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = figures[canvas.dataset.chart];
    if (!chart) {
      return;
    }
    var box = canvas.parentElement;
    box.hidden = false;
    box.style.height = chart.labels.length * 44 + 80 + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: colours[series.key],
            borderWidth: 0,
            barPercentage: 0.9,
            categoryPercentage: 0.8,
          };
        }),
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#e3e6ea" } },
          y: { grid: { display: false } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: tooltipLabel } },
        },
      },
    });
    canvas.dataset.rendered = "true";
  });
})();
