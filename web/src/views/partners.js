// The partners with their plans: where a meeting starts.
import { h } from "../dom.js";
import { label } from "../format.js";
import { table } from "../table.js";
import { link } from "./common.js";

const QUERY = `
  query DashboardPartners {
    partners(first: 100) {
      nodes {
        code name region
        plans(first: 10) { nodes { id code kind status startsOn endsOn } }
      }
    }
  }`;

export async function partners({ request }) {
  const data = await request(QUERY);
  const rows = data.partners.nodes.filter((partner) => partner.plans.nodes.length > 0);
  const current = (partner) =>
    partner.plans.nodes.filter((plan) => plan.status === "ACTIVE" || plan.status === "AGREED");
  const listing = table(
    "Partners with an individual plan",
    [
      {
        title: "Partner",
        cell: (row) => link(`/partners/${row.code}`, `${row.name} (${row.code})`),
        csv: (row) => row.code,
      },
      { title: "Region", cell: (row) => row.region ?? "—" },
      {
        title: "Plans in force",
        cell: (row) => current(row).map((plan) => plan.code).join(", ") || "—",
      },
      {
        title: "Earlier plans",
        cell: (row) =>
          row.plans.nodes
            .filter((plan) => !current(row).includes(plan))
            .map((plan) => `${plan.code} (${label(plan.status).toLowerCase()})`)
            .join(", ") || "—",
      },
    ],
    rows,
  );
  return {
    title: "Partners",
    intro: "Choose a partner to see its plans, how far each category is covered, and its gaps.",
    body: [listing.element],
    csv: { name: "partners.csv", make: listing.csv },
  };
}
