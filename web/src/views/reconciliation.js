// Where reports and confirmations disagree: what a donor reported against what the partner
// confirmed received.
import { h } from "../dom.js";
import { label, money } from "../format.js";
import { table } from "../table.js";
import { amount, link, who } from "./common.js";

const QUERY = `
  query DashboardReconciliation {
    reconciliation(first: 100) {
      totalCount
      nodes {
        state reported { amount currency } confirmed { amount currency } daysUnconfirmed
        contribution { id contributor { code name } objective { code plan { code } } }
      }
    }
  }`;

export async function reconciliation({ request }) {
  const data = await request(QUERY);
  const rows = data.reconciliation.nodes;
  const listing = table(
    `${data.reconciliation.totalCount} contributions to reconcile` +
      (rows.length < data.reconciliation.totalCount ? `, the first ${rows.length}` : ""),
    [
      {
        title: "Contribution",
        cell: (row) =>
          link(
            `/contributions/${encodeURIComponent(row.contribution.id)}`,
            row.contribution.objective
              ? `${row.contribution.objective.plan.code} ${row.contribution.objective.code}`
              : "pooled",
          ),
      },
      { title: "Contributor", cell: (row) => who(row.contribution.contributor) },
      { title: "State", cell: (row) => h("span", { class: `state ${row.state.toLowerCase()}` }, label(row.state)) },
      { title: "Reported", cell: (row) => amount(row.reported), numeric: true },
      { title: "Confirmed", cell: (row) => (row.confirmed ? money(row.confirmed) : "—"), numeric: true },
      { title: "Days unconfirmed", cell: (row) => row.daysUnconfirmed ?? "—", numeric: true },
    ],
    rows,
    { empty: "Everything reported is confirmed." },
  );
  return {
    title: "Reconciliation",
    intro: "Support a partner has not confirmed, or confirmed differently from the report.",
    body: [listing.element],
    csv: { name: "reconciliation.csv", make: listing.csv },
  };
}
