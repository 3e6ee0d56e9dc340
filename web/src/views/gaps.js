// What nobody funds: objectives short of their requirement, with who could help.
import { h } from "../dom.js";
import { label, money } from "../format.js";
import { table } from "../table.js";
import { isRecent, OBJECTIVE_COLUMN, partnerChooser } from "./common.js";

const QUERY = `
  query DashboardGaps($filter: AnalysisFilter) {
    aidGaps(filter: $filter, first: 100) {
      totalCount
      nodes {
        objective { id code title category priority plan { code } }
        requirement { amount currency } committed { amount currency } lacking { amount currency }
        contributors
        suggestedContributors(first: 3) { participant { code name } contributions reason }
      }
    }
  }`;

export async function gaps({ request, params, go }) {
  const code = params[0] ? decodeURIComponent(params[0]).toUpperCase() : "";
  const data = await request(QUERY, { filter: code ? { partners: [code] } : null });
  const found = data.aidGaps.nodes;
  const listing = table(
    `${data.aidGaps.totalCount} objectives short of their requirement` +
      (code ? ` in ${code}'s plans` : "") +
      (found.length < data.aidGaps.totalCount ? `, the first ${found.length}` : ""),
    [
      OBJECTIVE_COLUMN,
      { title: "Priority", cell: (row) => label(row.objective.priority) },
      { title: "Requirement", cell: (row) => money(row.requirement, "—"), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Lacking", cell: (row) => h("strong", {}, money(row.lacking, "—")), numeric: true },
      { title: "Contributors", cell: (row) => row.contributors, numeric: true },
      {
        title: "Who could help",
        cell: (row) =>
          row.suggestedContributors.length
            ? h(
                "ul",
                { class: "suggestions" },
                row.suggestedContributors.map((s) =>
                  h("li", { title: s.reason }, `${s.participant.name} (${s.participant.code})`),
                ),
              )
            : "—",
        csv: (row) => row.suggestedContributors.map((s) => s.participant.code).join("; "),
      },
    ],
    found,
    {
      empty: "No gaps: every objective has what it requires.",
      rowClass: (row) => (isRecent(row.objective.code) ? "recent" : null),
    },
  );
  listing.element.id = "gap-list";
  return {
    title: code ? `Gaps in ${code}'s plans` : "Gaps",
    intro:
      "Objectives whose committed support falls short of their requirement, highest priority " +
      "and largest shortfall first, with the contributors most likely to help.",
    controls: [await partnerChooser(request, code, (chosen) => go(`/gaps/${chosen}`))],
    body: [listing.element],
    csv: { name: `gaps${code ? `-${code}` : ""}.csv`, make: listing.csv },
  };
}
