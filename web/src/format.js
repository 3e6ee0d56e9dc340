// How figures are written. Amounts arrive as exact decimal strings and stay strings: they are
// grouped and rounded here as text, never turned into floating point.

const GROUP = ","; // thousands, as NATO's English-language documents write them

/** "1234567.891" -> "1,234,567.89" (to `places` decimals, half away from zero). */
export function decimal(value, places = 2) {
  if (value === null || value === undefined) return "—";
  let text = String(value);
  const negative = text.startsWith("-");
  if (negative) text = text.slice(1);
  let [whole, fraction = ""] = text.split(".");
  fraction = fraction.padEnd(places + 1, "0");
  let kept = whole + fraction.slice(0, places);
  if (Number(fraction[places]) >= 5) kept = increment(kept);
  whole = kept.slice(0, kept.length - places) || "0";
  fraction = kept.slice(kept.length - places);
  const grouped = whole.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
  return (negative ? "-" : "") + grouped + (places ? "." + fraction : "");
}

function increment(digits) {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if (out[i] === "9") {
      out[i] = "0";
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join("");
    }
  }
  return "1" + out.join("");
}

/** A Money object ({amount, currency}) as "EUR 1,234.50"; a restricted (null) one as such. */
export function money(value, restricted = "restricted") {
  if (value === null || value === undefined) return restricted;
  return `${value.currency} ${decimal(value.amount)}`;
}

/** Euros in millions for bars' labels: "12.9 M". */
export function millions(amount) {
  if (amount === null || amount === undefined) return "—";
  const [whole, fraction = ""] = String(amount).split(".");
  const padded = whole.padStart(7, "0");
  const m = padded.slice(0, padded.length - 6) + "." + padded.slice(padded.length - 6) + fraction;
  return `${decimal(m, 1)} M`;
}

/** A ratio ("0.8147") as a percentage ("81.5 %"); none as "—". */
export function percent(ratio) {
  if (ratio === null || ratio === undefined) return "—";
  const [whole, fraction = ""] = String(ratio).split(".");
  const padded = fraction.padEnd(2, "0");
  return `${decimal(whole + padded.slice(0, 2) + "." + padded.slice(2), 1)} %`;
}

/** A ratio as a bar's length in percent of its track, capped: presentation only. */
export function barLength(ratio, cap = 1.5) {
  if (ratio === null || ratio === undefined) return 0;
  return Math.max(0, Math.min(Number(ratio), cap)) / cap * 100;
}

/** Names from the schema's enums: DEFENCE_AND_MILITARY -> "Defence and military". */
export function label(name) {
  if (!name) return "—";
  const words = name.toLowerCase().replaceAll("_", " ");
  return words[0].toUpperCase() + words.slice(1);
}

/** A DateTime as the reader's local date and time, with its zone. */
export function moment(iso) {
  if (!iso) return "—";
  const when = new Date(iso);
  return when.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

/** Today, in the reader's time zone, as YYYY-MM-DD. */
export function today() {
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}
