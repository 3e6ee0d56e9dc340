// Bars for coverage and shares: one row per item, stages drawn as nested lengths on one scale,
// the requirement as a mark. Each bar also says its figures in words, for screen readers and
// print, and the figures come as a table besides.
import { h } from "./dom.js";
import { millions, percent } from "./format.js";

/** Where `amount` falls on a scale whose end is `top` (both decimal strings), in percent. */
function at(amount, top) {
  if (amount === null || amount === undefined || !Number(top)) return 0;
  return Math.max(0, Math.min(100, (Number(amount) / Number(top)) * 100));
}

/**
 * Stage bars: `items` each { label, requirement, pledged, committed, disbursed, ratio } with
 * amounts as decimal strings in one currency, drawn on a common scale.
 */
export function stageBars(caption, items) {
  const top = items.reduce(
    (largest, item) =>
      Math.max(largest, Number(item.requirement ?? 0), Number(item.pledged ?? 0)),
    0,
  );
  return h(
    "figure",
    { class: "bars" },
    h("figcaption", {}, caption),
    h(
      "ul",
      { class: "bar-list" },
      items.map((item) => {
        const words =
          `${item.label}: committed ${percent(item.ratio)} of the requirement ` +
          `(${millions(item.committed)} of ${millions(item.requirement)}), ` +
          `pledged ${millions(item.pledged)}, disbursed ${millions(item.disbursed)}`;
        return h(
          "li",
          { class: "bar-row", dataset: { item: item.key ?? item.label } },
          h("span", { class: "bar-label" }, item.label),
          h(
            "span",
            { class: "bar-track", role: "img", "aria-label": words, title: words },
            h("span", { class: "bar pledged", style: { width: `${at(item.pledged, top)}%` } }),
            h("span", { class: "bar committed", style: { width: `${at(item.committed, top)}%` } }),
            h("span", { class: "bar disbursed", style: { width: `${at(item.disbursed, top)}%` } }),
            h("span", {
              class: "requirement-mark",
              style: { left: `${at(item.requirement, top)}%` },
            }),
          ),
          h(
            "span",
            { class: "bar-figure", dataset: { figure: "ratio" } },
            percent(item.ratio),
          ),
        );
      }),
    ),
    legend([
      ["pledged", "Pledged"],
      ["committed", "Committed"],
      ["disbursed", "Disbursed or delivered"],
      ["requirement-mark", "Requirement"],
    ]),
  );
}

/** A share (a ratio from 0 to 1) as a short bar with its percentage. */
export function shareBar(ratio, what) {
  const words = `${what}: ${percent(ratio)}`;
  return h(
    "span",
    { class: "share" },
    h(
      "span",
      { class: "share-track", role: "img", "aria-label": words, title: words },
      h("span", { class: "bar committed", style: { width: `${at(ratio, "1")}%` } }),
    ),
    h("span", { class: "share-figure" }, percent(ratio)),
  );
}

/** Two parts of a whole (e.g. allocated and available of received), as one bar. */
export function partsBar(parts, whole, what) {
  const words = `${what}: ${parts.map(([name, amount]) => `${name} ${millions(amount)}`).join(", ")}`;
  return h(
    "span",
    { class: "share-track wide", role: "img", "aria-label": words, title: words },
    parts.map(([name, amount], index) =>
      h("span", {
        class: `bar part-${index}`,
        dataset: { part: name },
        style: { width: `${at(amount, whole)}%` },
      }),
    ),
  );
}

function legend(entries) {
  return h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    entries.map(([kind, name]) => h("li", {}, h("span", { class: `swatch ${kind}` }), name)),
  );
}
