// How well promises are kept: pledged, committed, delivered and overdue, ranked.
import { shareBar } from "../bars.js";
import { h } from "../dom.js";
import { money, percent } from "../format.js";
import { table } from "../table.js";
import { who } from "./common.js";

const QUERY = `
  query DashboardFulfilment($groupBy: FulfilmentGrouping!) {
    fulfilment(groupBy: $groupBy, orderBy: { field: DELIVERED_SHARE, direction: ASC }, first: 100) {
      rank contributions participant { code name }
      pledged { amount currency } committed { amount currency }
      delivered { amount currency } overdue { amount currency }
      deliveredShare committedShare
    }
  }`;

const GROUPINGS = { CONTRIBUTOR: "By contributor", PARTNER: "By partner" };

export async function fulfilment({ request, params, go }) {
  const groupBy = params[0] in GROUPINGS ? params[0] : "CONTRIBUTOR";
  const rows = (await request(QUERY, { groupBy })).fulfilment;
  const listing = table(
    `Fulfilment ${GROUPINGS[groupBy].toLowerCase()}, the lowest share delivered first`,
    [
      { title: "Rank", cell: (row) => row.rank, numeric: true },
      { title: groupBy === "PARTNER" ? "Partner" : "Contributor", cell: (row) => who(row.participant, "Restricted contributors") },
      { title: "Contributions", cell: (row) => row.contributions, numeric: true },
      { title: "Pledged", cell: (row) => money(row.pledged), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Delivered", cell: (row) => money(row.delivered), numeric: true },
      { title: "Overdue", cell: (row) => money(row.overdue), numeric: true },
      {
        title: "Delivered ÷ committed",
        cell: (row) => shareBar(row.deliveredShare, "delivered of committed"),
        csv: (row) => percent(row.deliveredShare),
      },
      {
        title: "Committed ÷ pledged",
        cell: (row) => shareBar(row.committedShare, "committed of pledged"),
        csv: (row) => percent(row.committedShare),
      },
    ],
    rows,
  );
  const select = h(
    "select",
    { id: "grouping", onchange: (event) => go(`/fulfilment/${event.target.value}`) },
    Object.entries(GROUPINGS).map(([value, text]) =>
      h("option", { value, selected: value === groupBy }, text),
    ),
  );
  return {
    title: "Fulfilment",
    intro: "What was pledged, committed and delivered, in euros at each contribution's rate.",
    controls: [h("p", { class: "chooser" }, h("label", { for: "grouping" }, "Group "), select)],
    body: [h("div", { class: "scroll" }, listing.element)],
    csv: { name: `fulfilment-${groupBy.toLowerCase()}.csv`, make: listing.csv },
  };
}
