// The pooled funds: what each received, allocated, and still holds.
import { partsBar } from "../bars.js";
import { h } from "../dom.js";
import { label, money } from "../format.js";
import { table } from "../table.js";
import { who } from "./common.js";

const QUERY = `
  query DashboardFunds {
    funds(first: 100) {
      nodes {
        code name
        fund {
          form purpose manager { code name } beneficiary { code name }
          holdings { currency received { amount currency } allocated { amount currency }
                     available { amount currency } }
        }
      }
    }
  }`;

export async function funds({ request }) {
  const data = await request(QUERY);
  const rows = data.funds.nodes.flatMap((fund) =>
    (fund.fund?.holdings.length ? fund.fund.holdings : [null]).map((holding) => ({ fund, holding })),
  );
  const listing = table(
    "Funds and what they hold, by currency",
    [
      { title: "Fund", cell: (row) => `${row.fund.name} (${row.fund.code})` },
      { title: "Form", cell: (row) => label(row.fund.fund?.form) },
      { title: "Managed by", cell: (row) => who(row.fund.fund?.manager, "—") },
      {
        title: "For",
        cell: (row) =>
          row.fund.fund?.beneficiary ? who(row.fund.fund.beneficiary) : "several partners",
      },
      { title: "Received", cell: (row) => (row.holding ? money(row.holding.received) : "—"), numeric: true },
      { title: "Allocated", cell: (row) => (row.holding ? money(row.holding.allocated) : "—"), numeric: true },
      { title: "Available", cell: (row) => (row.holding ? money(row.holding.available) : "—"), numeric: true },
      {
        title: "Allocated of received",
        cell: (row) =>
          row.holding
            ? partsBar(
                [
                  ["allocated", row.holding.allocated.amount],
                  ["available", row.holding.available.amount],
                ],
                row.holding.received.amount,
                `${row.fund.code} in ${row.holding.currency}`,
              )
            : "—",
        csv: () => "",
      },
    ],
    rows,
    { empty: "No funds." },
  );
  return {
    title: "Funds",
    intro: "Trust funds and pooled mechanisms: what donors put in, and what reached objectives.",
    body: [h("div", { class: "scroll" }, listing.element)],
    csv: { name: "funds.csv", make: listing.csv },
  };
}
