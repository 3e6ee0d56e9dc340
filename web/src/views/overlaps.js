// Where donors crowd one objective: a matrix of objectives by contributors, each overlap with
// the reasons it was flagged.
import { h } from "../dom.js";
import { decimal, label, money } from "../format.js";
import { table } from "../table.js";
import { isRecent, link, OBJECTIVE_COLUMN, partnerChooser } from "./common.js";

const QUERY = `
  query DashboardOverlaps($filter: AnalysisFilter) {
    aidOverlaps(filter: $filter, first: 100) {
      totalCount
      nodes {
        objective { id code title category plan { code partner { code } } }
        contributorCount hiddenContributorCount score reasons
        total { amount currency } requirement { amount currency } excess { amount currency }
        contributions {
          id kind status amount { amount currency } contributor { code name }
        }
      }
    }
  }`;

const HIDDEN = "Restricted";

/** The contributors as columns: those withheld from the viewer together first (what the
 * viewer cannot name is what a meeting asks about), then the most frequent first. */
function columnsOf(overlaps) {
  const counts = new Map();
  for (const overlap of overlaps) {
    const seen = new Set(overlap.contributions.map((c) => c.contributor?.code ?? HIDDEN));
    for (const code of seen) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts.keys()].sort((a, b) => {
    if (a === HIDDEN || b === HIDDEN) return a === HIDDEN ? -1 : 1;
    return counts.get(b) - counts.get(a) || a.localeCompare(b);
  });
}

/** What one contributor gives to one overlapping objective: a mark for each of its
 * contributions there, linked to it, its amount said in words and on hover. */
function cell(overlap, code) {
  const given = overlap.contributions.filter((c) => (c.contributor?.code ?? HIDDEN) === code);
  if (!given.length) return "";
  const amounts = given.map((c) => (c.amount ? money(c.amount) : "restricted"));
  return h(
    "span",
    { class: "given", title: `${code}: ${amounts.join(", ")}` },
    given.map((c, index) =>
      link(
        `/contributions/${encodeURIComponent(c.id)}`,
        h("span", { class: `mark ${c.amount ? "" : "withheld"}`, "aria-hidden": "true" }),
        h("span", { class: "visually-hidden" }, amounts[index]),
      ),
    ),
  );
}

/** The same as text, for the CSV. */
function cellText(overlap, code) {
  return overlap.contributions
    .filter((c) => (c.contributor?.code ?? HIDDEN) === code)
    .map((c) => (c.amount ? money(c.amount) : "restricted"))
    .join("; ");
}

export async function overlaps({ request, params, go }) {
  const code = params[0] ? decodeURIComponent(params[0]).toUpperCase() : "";
  const filter = code ? { partners: [code] } : null;
  const data = await request(QUERY, { filter });
  const found = data.aidOverlaps.nodes;
  const contributors = columnsOf(found);
  const matrix = table(
    `${data.aidOverlaps.totalCount} objectives with overlapping support` +
      (code ? ` in ${code}'s plans` : "") +
      (found.length < data.aidOverlaps.totalCount ? `, the ${found.length} most pressing` : ""),
    [
      OBJECTIVE_COLUMN,
      { title: "Score", cell: (row) => decimal(row.score, 1), numeric: true },
      {
        title: "Why",
        cell: (row) =>
          h(
            "ul",
            { class: "reasons" },
            row.reasons.map((reason) => h("li", {}, label(reason))),
          ),
        csv: (row) => row.reasons.map(label).join("; "),
      },
      {
        title: "Total",
        cell: (row) => [
          money(row.total),
          row.excess && Number(row.excess.amount) > 0
            ? [h("br"), h("small", { class: "excess" }, `${money(row.excess)} over`)]
            : null,
        ],
        csv: (row) => money(row.total),
        numeric: true,
      },
      ...contributors.map((contributor) => ({
        title: contributor,
        cell: (row) => cell(row, contributor),
        csv: (row) => cellText(row, contributor),
        class: "contributor",
      })),
    ],
    found,
    {
      empty: "No overlapping support.",
      rowClass: (row) => (isRecent(row.objective.code) ? "recent" : null),
    },
  );
  matrix.element.classList.add("matrix");
  matrix.element.id = "overlap-matrix";
  return {
    title: code ? `Overlaps in ${code}'s plans` : "Overlaps",
    intro:
      "Each row is an objective where distinct contributors give at the same time, ranked by " +
      "score; each column a contributor, a mark for each of its contributions there (hover or " +
      "focus for the amount, open for the detail). Restricted support is counted but not named.",
    controls: [await partnerChooser(request, code, (chosen) => go(`/overlaps/${chosen}`))],
    body: [
      h(
        "div",
        { class: "scroll tall", tabindex: "0", role: "region", "aria-label": "Overlap matrix" },
        matrix.element,
      ),
    ],
    csv: { name: `overlaps${code ? `-${code}` : ""}.csv`, make: matrix.csv },
  };
}
