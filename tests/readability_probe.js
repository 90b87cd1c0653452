// What tests/test_readability.py measures on a rendered page, in one pass over the DOM.
// Returns {overlaps, clipped, smallHeatmapText, cutTitles, main, fontSize} for the arguments
// {main: a CSS selector for the page's main chart}.
(args) => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0.5 && r.height > 0.5 && el.textContent.trim() !== "";
  };
  const box = (el) => el.getBoundingClientRect();
  const meet = (a, b, slack) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  const describe = (el) => `${el.closest("g[class]") ? el.closest("g[class]").getAttribute("class") : "?"}: ` +
    `"${el.textContent.slice(0, 40)}"`;

  // 1. No two text elements of one plotly chart overlap (ticks, annotations, titles, legend).
  const overlaps = [];
  document.querySelectorAll(".js-plotly-plot").forEach((plot, index) => {
    // Outermost text elements only: a <text> holds <tspan>s of its own lines.
    const texts = [...plot.querySelectorAll("svg text")].filter(visible);
    const rects = texts.map(box);
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (meet(rects[i], rects[j], 1)) {
          overlaps.push(`chart ${index}: ${describe(texts[i])} overlaps ${describe(texts[j])}`);
        }
      }
    }
  });

  // 2. No formula or table is cut horizontally. A formula must fit (its overflow scrolls with no
  // visible sign: Streamlit hides scroll bars); a data frame scrolls in its own grid, but the grid
  // itself must fit. Cut = the content reaches past the nearest box that clips it, or the screen.
  const clipped = [];
  const viewport = document.documentElement.clientWidth;
  const formulas = [...document.querySelectorAll(".katex-display, [data-testid=stMarkdownContainer] .katex")]
    .filter((el) => !el.parentElement.closest(".katex-display"));
  const tables = [...document.querySelectorAll("[data-testid=stTable] table, [data-testid=stMarkdownContainer] table, " +
    "[data-testid=stDataFrame], .wd-matrix table")];
  for (const el of [...formulas, ...tables]) {
    const shown = box(el);
    if (shown.width === 0) continue;
    // A formula may scroll inside itself: its content is where its typeset pieces lie (KaTeX's
    // .base boxes; scrollWidth counts invisible struts a few px past the last glyph).
    const pieces = [...el.querySelectorAll(".katex-html .base")].map(box).filter((r) => r.width > 0);
    const content = pieces.length ? {left: Math.min(...pieces.map((r) => r.left)),
                                     right: Math.max(...pieces.map((r) => r.right))} : shown;
    let right = viewport;
    let left = 0;
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      if (a !== el && getComputedStyle(a).overflowX === "visible") continue;
      if (a === el && !el.classList.contains("katex-display")) continue;
      const r = box(a);
      right = Math.min(right, r.right);
      left = Math.max(left, r.left);
    }
    // A formula may scroll if it shows that it does: its own box scrolls and draws shadows at
    // the cut edges (ui/classroom.py's scroll shadows), since no scroll bar is drawn on touch screens.
    const style = getComputedStyle(el);
    const says = ["auto", "scroll"].includes(style.overflowX) && style.backgroundImage.includes("radial-gradient");
    if ((content.right > right + 1 || content.left < left - 1) && !(says && el.scrollWidth > el.clientWidth &&
        box(el).right <= viewport + 1)) {
      clipped.push(`${el.className || el.tagName} (${Math.round(content.right - right)} px cut): ` +
        `"${el.textContent.slice(0, 60)}"`);
    }
  }

  // A matrix table's cell hides what does not fit (overflow: hidden): a number cut at its cell's edge.
  document.querySelectorAll(".wd-matrix td").forEach((td) => {
    if (visible(td) && td.scrollWidth > td.clientWidth + 1) {
      clipped.push(`.wd-matrix td (${td.scrollWidth - td.clientWidth} px cut): "${td.textContent}"`);
    }
  });

  // 3. Heatmap cell numbers: big enough to read on a projector, or not drawn at all.
  const smallHeatmapText = [];
  // (and the cells of a matrix drawn as a table, core/figures/matrix_table.py)
  document.querySelectorAll(".js-plotly-plot g.heatmap-label text, .wd-matrix td")
    .forEach((t) => {
      if (!visible(t)) return;
      const size = parseFloat(getComputedStyle(t).fontSize);
      if (size < 12) smallHeatmapText.push(`${t.textContent} at ${size}px`);
    });

  // 4. Every chart title lies inside its chart: a title pushed above the chart's top edge is cut off there.
  const cutTitles = [];
  document.querySelectorAll(".js-plotly-plot").forEach((plot, index) => {
    const top = box(plot).top;
    plot.querySelectorAll(".gtitle").forEach((t) => {
      if (visible(t) && box(t).top < top - 1) {
        cutTitles.push(`chart ${index}: "${t.textContent.slice(0, 40)}" starts ${Math.round(top - box(t).top)} px above it`);
      }
    });
  });

  // 5. Where the page's main chart is.
  const main = document.querySelector(args.main);
  const where = main ? box(main) : null;
  return {
    overlaps: overlaps.slice(0, 20),
    clipped,
    smallHeatmapText: smallHeatmapText.slice(0, 20),
    cutTitles,
    main: where && {top: where.top, bottom: where.bottom, left: where.left, right: where.right},
    innerHeight: window.innerHeight,
    fontSize: parseFloat(getComputedStyle(document.documentElement).fontSize),
  };
}
