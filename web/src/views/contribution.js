// One contribution: what it is, its stages, schedule and items, and every change to it.
import { h } from "../dom.js";
import { label, money, moment } from "../format.js";
import { table } from "../table.js";
import { amount, link, who } from "./common.js";

const QUERY = `
  query DashboardContribution($id: ID!) {
    node(id: $id) {
      ... on Contribution {
        id kind status visibility redaction description externalReference version
        amount { amount currency } valuedOn startsOn endsOn
        pledgedOn committed { amount currency } committedOn
        delivered { amount currency } deliveredOn overdue { amount currency } withdrawnAt
        createdAt updatedAt
        contributor { code name } channel { code name } reportedBy { code name }
        objective { id code title category plan { code partner { code name } } }
        earmarkedPlan { code } earmarkedCategory
        confirmation { verdict stage amount { amount currency } on reason }
        tranches { number dueOn firmness status amount { amount currency }
                   delivered { amount currency } outstanding { amount currency } }
        items { category description quantity unit unitValue { amount currency }
                value { amount currency } valuation }
        history(last: 50) {
          nodes { position occurredAt action redacted actor { code name } before after }
        }
      }
    }
  }`;

function facts(entries) {
  return h(
    "dl",
    { class: "facts" },
    entries
      .filter(([, value]) => value !== undefined)
      .map(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")]),
  );
}

/** What one change did, in a line: the fields whose values differ. */
function changed(event) {
  if (event.redacted) return h("span", { class: "restricted" }, "detail restricted");
  if (!event.before) return "registered";
  const after = event.after ?? {};
  const fields = Object.keys(after).filter(
    (key) =>
      !["version", "updated_at"].includes(key) &&
      JSON.stringify(after[key]) !== JSON.stringify(event.before[key]),
  );
  return fields.length ? fields.map((key) => key.replaceAll("_", " ")).join(", ") : "—";
}

export async function contribution({ request, params }) {
  const id = decodeURIComponent(params[0]);
  const found = (await request(QUERY, { id })).node;
  if (!found || !found.kind) throw new Error("No contribution has this ID, or it is not yours to see.");
  const objective = found.objective;
  const history = table(
    "Its history, latest last",
    [
      { title: "Position", cell: (row) => row.position, numeric: true },
      { title: "When", cell: (row) => moment(row.occurredAt) },
      { title: "What", cell: (row) => label(row.action) },
      { title: "Who", cell: (row) => who(row.actor, "withheld") },
      { title: "Changed", cell: changed },
    ],
    found.history.nodes,
  );
  const sections = [
    facts([
      ["Contributor", who(found.contributor)],
      ["Objective", objective ? `${objective.code} ${objective.title}` : "— (pooled)"],
      ["Plan", objective ? objective.plan.code : found.earmarkedPlan?.code],
      ["Partner", objective ? who(objective.plan.partner) : undefined],
      ["Through", found.channel ? who(found.channel) : undefined],
      ["Kind", label(found.kind)],
      ["Status", label(found.status)],
      ["Visibility", label(found.visibility)],
      ["Pledged", amount(found.amount)],
      ["Committed", found.committed ? money(found.committed) : found.redaction ? amount(null) : "—"],
      ["Delivered", found.delivered ? money(found.delivered) : found.redaction ? amount(null) : "—"],
      ["Overdue", found.overdue ? money(found.overdue) : found.redaction ? amount(null) : "—"],
      ["Period", `${found.startsOn} to ${found.endsOn ?? "open"}`],
      ["Valued on", found.valuedOn],
      ["Reported by", who(found.reportedBy, "withheld")],
      [
        "Confirmation",
        found.confirmation
          ? `${label(found.confirmation.verdict)} on ${found.confirmation.on}` +
            (found.confirmation.amount ? `: ${money(found.confirmation.amount)}` : "")
          : "none yet",
      ],
      ["Withdrawn", found.withdrawnAt ? moment(found.withdrawnAt) : undefined],
      ["Description", found.description],
      ["Why some is hidden", found.redaction ?? undefined],
    ]),
  ];
  if (found.tranches?.length) {
    sections.push(
      table(
        "Planned tranches",
        [
          { title: "Tranche", cell: (row) => row.number, numeric: true },
          { title: "Due", cell: (row) => row.dueOn },
          { title: "Firmness", cell: (row) => label(row.firmness) },
          { title: "Amount", cell: (row) => money(row.amount), numeric: true },
          { title: "Delivered", cell: (row) => money(row.delivered), numeric: true },
          { title: "Outstanding", cell: (row) => money(row.outstanding), numeric: true },
          { title: "Status", cell: (row) => h("span", { class: `state ${row.status.toLowerCase()}` }, label(row.status)) },
        ],
        found.tranches,
      ).element,
    );
  }
  if (found.items?.length) {
    sections.push(
      table(
        "In-kind items",
        [
          { title: "Item", cell: (row) => `${label(row.category)}${row.description ? `: ${row.description}` : ""}` },
          { title: "Quantity", cell: (row) => `${row.quantity} ${row.unit ?? ""}`, numeric: true },
          { title: "Unit value", cell: (row) => money(row.unitValue), numeric: true },
          { title: "Value", cell: (row) => money(row.value), numeric: true },
          { title: "Valuation", cell: (row) => label(row.valuation) },
        ],
        found.items,
      ).element,
    );
  }
  sections.push(history.element);
  return {
    title: `${label(found.kind)} from ${found.contributor?.code ?? "a restricted contributor"}`,
    intro: objective ? `To ${objective.code} in ${objective.plan.code}.` : "Pooled support.",
    actions: objective ? [link(`/overlaps/${objective.plan.partner.code}`, "Overlaps for this partner")] : [],
    body: sections,
    csv: { name: "contribution-history.csv", make: history.csv },
  };
}
