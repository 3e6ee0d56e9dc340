// One partner: coverage by category as bars, its plans and their objectives.
import { stageBars } from "../bars.js";
import { h } from "../dom.js";
import { label, money, percent } from "../format.js";
import { table } from "../table.js";
import { amount, link } from "./common.js";

const QUERY = `
  query DashboardPartner($code: String!, $partners: [String!]) {
    participant(code: $code) {
      code name region
      plans(first: 20) {
        nodes {
          id code title kind status startsOn endsOn
          objectives(first: 100) {
            totalCount
            nodes { id code title category priority status requirement { amount currency } }
          }
        }
      }
    }
    coverage(filter: { partners: $partners }) {
      total { objectives requirement { amount currency } pledged { amount currency }
              committed { amount currency } disbursed { amount currency } ratio }
      byCategory { category objectives requirement { amount currency } pledged { amount currency }
                   committed { amount currency } disbursed { amount currency } ratio }
      byKind { kind pledged { amount currency } committed { amount currency }
               disbursed { amount currency } }
    }
  }`;

function stages(figures, name) {
  return {
    key: figures.category ?? "TOTAL",
    label: name,
    requirement: figures.requirement.amount,
    pledged: figures.pledged.amount,
    committed: figures.committed.amount,
    disbursed: figures.disbursed.amount,
    ratio: figures.ratio,
  };
}

export async function partner({ request, params }) {
  const code = decodeURIComponent(params[0]).toUpperCase();
  const data = await request(QUERY, { code, partners: [code] });
  const who = data.participant;
  if (!who) throw new Error(`No participant has the code ${code}.`);
  const coverage = data.coverage;
  const total = coverage.total;
  const figures = table(
    `Coverage of ${who.name}'s plans by category, in ${total.requirement.currency}`,
    [
      { title: "Category", cell: (row) => (row.category ? label(row.category) : "All categories") },
      { title: "Objectives", cell: (row) => row.objectives, numeric: true },
      { title: "Requirement", cell: (row) => money(row.requirement), numeric: true },
      { title: "Pledged", cell: (row) => money(row.pledged), numeric: true },
      { title: "Committed", cell: (row) => money(row.committed), numeric: true },
      { title: "Disbursed", cell: (row) => money(row.disbursed), numeric: true },
      { title: "Committed ÷ requirement", cell: (row) => percent(row.ratio), numeric: true },
    ],
    [...coverage.byCategory, total],
  );
  figures.element.id = "coverage-figures";
  const plans = who.plans.nodes.map((plan) => {
    const objectives = table(
      `${plan.code}: ${plan.title} (${label(plan.status).toLowerCase()}, ` +
        `${plan.objectives.totalCount} objectives)`,
      [
        { title: "Objective", cell: (row) => `${row.code} ${row.title}` },
        { title: "Category", cell: (row) => label(row.category) },
        { title: "Priority", cell: (row) => label(row.priority) },
        { title: "Status", cell: (row) => label(row.status) },
        { title: "Requirement", cell: (row) => amount(row.requirement), numeric: true },
      ],
      plan.objectives.nodes,
      { empty: "No objectives yet." },
    );
    return h("section", { class: "plan", "aria-label": plan.code }, objectives.element);
  });
  const kinds = coverage.byKind.map(
    (kind) => `${label(kind.kind)}: ${money(kind.committed)} committed`,
  );
  return {
    title: `${who.name} (${who.code})`,
    intro: `${who.region ?? ""}`,
    actions: [
      link(`/overlaps/${who.code}`, "Overlaps"),
      link(`/gaps/${who.code}`, "Gaps"),
      link(`/fulfilment/PARTNER`, "Fulfilment"),
    ],
    body: [
      h(
        "section",
        { "aria-labelledby": "coverage-heading" },
        h("h2", { id: "coverage-heading" }, "Coverage by category"),
        h(
          "p",
          { class: "headline", dataset: { figure: "total" } },
          `Committed ${money(total.committed)} of a requirement of ${money(total.requirement)}: `,
          h("strong", {}, percent(total.ratio)),
          ` (pledged ${money(total.pledged)}, disbursed ${money(total.disbursed)}).`,
        ),
        stageBars(
          "Pledged, committed and disbursed against each category's requirement",
          coverage.byCategory.map((row) => stages(row, label(row.category))),
        ),
        kinds.length ? h("p", { class: "kinds" }, "By kind: ", kinds.join("; "), ".") : null,
        h("details", {}, h("summary", {}, "The figures as a table"), figures.element),
      ),
      h(
        "section",
        { "aria-labelledby": "plans-heading" },
        h("h2", { id: "plans-heading" }, "Plans and objectives"),
        plans.length ? plans : h("p", {}, "No plans."),
      ),
    ],
    csv: { name: `coverage-${who.code}.csv`, make: figures.csv },
  };
}
