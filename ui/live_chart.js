// A plotly chart that stays mounted: each rerun hands it a new figure and Plotly.react updates it in place.
// (ui/live_chart.py says why.) Called by Streamlit's custom-component runtime (st.components.v2) with the
// same parentElement on every rerun for as long as the chart's key stays on the page.

const loading = {}; // plotly.js, loaded once per page from the app's static folder

function plotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading[src]) {
    loading[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { delete loading[src]; reject(new Error(`could not load ${src}`)); };
      document.head.appendChild(script);
    });
  }
  return loading[src];
}

function draw(plot, Plotly) {
  const next = plot.wdNext; // only the newest figure is drawn: figures that came while one was drawn are skipped
  plot.wdNext = null;
  if (!next) return Promise.resolve();
  const layout = { ...next.figure.layout, width: plot.parentElement.clientWidth || undefined };
  return Promise.resolve(Plotly.react(plot, next.figure.data, layout, next.config))
    .then(() => draw(plot, Plotly));
}

export default function ({ parentElement, data }) {
  const message = JSON.parse(data);
  let plot = parentElement.querySelector(":scope > .wd-live-chart");
  if (!plot) {
    plot = document.createElement("div");
    plot.className = "wd-live-chart";
    parentElement.appendChild(plot);
    // A new width (a resized window, columns that stack on a phone) lays the chart out again at that width.
    new ResizeObserver(() => {
      const width = parentElement.clientWidth;
      if (window.Plotly && plot._fullLayout && width && width !== plot._fullLayout.width) {
        window.Plotly.relayout(plot, { width });
      }
    }).observe(parentElement);
  }
  plot.style.minHeight = `${message.figure.layout.height || 450}px`; // its room is kept while plotly.js loads
  const idle = !plot.wdNext && !plot.wdDrawing;
  plot.wdNext = message;
  if (idle) {
    plot.wdDrawing = true;
    plotly(message.src)
      .then((Plotly) => draw(plot, Plotly))
      .catch((error) => { plot.textContent = `This chart could not be drawn (${error.message}); reload the page.`; })
      .finally(() => { plot.wdDrawing = false; });
  }
}
