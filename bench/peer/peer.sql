-- What PostGraphile needs on top of the project's tables, applied by bench/compare.py to the
-- benchmark's own database only (never a migration of the project).

-- Relation names like the API's (plans, objectives, contributions, contributor...) instead of
-- amber's `plansByPartnerId`, so the two servers get near-identical documents.
COMMENT ON CONSTRAINT fk_plan_partner_id_participant ON plan IS
  E'@fieldName partner\n@foreignFieldName plans';
COMMENT ON CONSTRAINT fk_objective_plan_id_plan ON objective IS
  E'@fieldName plan\n@foreignFieldName objectives';
COMMENT ON CONSTRAINT fk_contribution_objective_id_objective ON contribution IS
  E'@fieldName objective\n@foreignFieldName contributions';
COMMENT ON CONSTRAINT fk_contribution_contributor_id_participant ON contribution IS
  E'@fieldName contributor\n@foreignFieldName contributions';
COMMENT ON CONSTRAINT fk_contribution_recipient_id_participant ON contribution IS
  E'@fieldName recipient\n@foreignFieldName contributionsReceived';
-- A unique self-reference: amber names both of its ends `planByPredecessorId` and drops one.
COMMENT ON CONSTRAINT fk_plan_predecessor_id_plan ON plan IS
  E'@fieldName predecessor\n@foreignFieldName successor';

-- Where aid overlaps, worked out live from the contributions, with the API's semantics
-- (README, "Analysis"): on each objective line (an objective and the copies carried over from
-- it), the live contributions whose period meets that of another contributor's; their distinct
-- contributors, their total in EUR (each valued at the rate in force on its valuation date,
-- rounded to the cent), the requirement in EUR, the excess over it and the API's score. The API
-- keeps this per objective in `objective_tally`, refreshed by its own writes; PostGraphile's
-- writes do not refresh that table, so the peer computes from the contributions instead.
CREATE VIEW aid_overlap AS
WITH rates AS (
  -- Each rate with the day it stops being in force; the first also covers every earlier day.
  SELECT currency, rate::numeric / 10000000000 AS rate, valid_from,
         lead(valid_from) OVER (PARTITION BY currency ORDER BY valid_from) AS valid_until,
         valid_from = min(valid_from) OVER (PARTITION BY currency) AS earliest
  FROM exchange_rate
),
live AS (
  SELECT c.id, c.contributor_id, c.kind, c.starts_on, c.ends_on,
         coalesce(o.origin_id, o.id) AS line_id,
         round(c.amount::numeric / 10000 * CASE WHEN c.currency = 'EUR' THEN 1 ELSE x.rate END, 2)
           AS value
  FROM contribution c
  JOIN objective o ON o.id = c.objective_id
  LEFT JOIN rates x
    ON x.currency = c.currency
   AND (x.valid_from <= c.valued_on OR x.earliest)
   AND (x.valid_until IS NULL OR c.valued_on < x.valid_until)
  WHERE c.status <> 'WITHDRAWN'
),
-- A contribution counts when another contributor's contribution to the line meets its period.
flagged AS (
  SELECT a.* FROM live a
  WHERE EXISTS (
    SELECT FROM live b
    WHERE b.line_id = a.line_id AND b.contributor_id <> a.contributor_id
      AND a.starts_on <= coalesce(b.ends_on, 'infinity'::date)
      AND b.starts_on <= coalesce(a.ends_on, 'infinity'::date)
  )
),
lines AS (
  SELECT line_id, count(DISTINCT contributor_id)::int AS contributor_count, sum(value) AS total
  FROM flagged
  GROUP BY line_id
),
-- Lines where two such contributions are of the same kind.
same_kind AS (
  SELECT DISTINCT a.line_id FROM flagged a
  WHERE EXISTS (
    SELECT FROM flagged b
    WHERE b.line_id = a.line_id AND b.kind = a.kind AND b.contributor_id <> a.contributor_id
      AND a.starts_on <= coalesce(b.ends_on, 'infinity'::date)
      AND b.starts_on <= coalesce(a.ends_on, 'infinity'::date)
  )
),
heads AS (
  SELECT h.id, coalesce(h.origin_id, h.id) AS line_id,
         round(h.requirement_amount::numeric / 10000
               * CASE WHEN h.requirement_currency = 'EUR' THEN 1 ELSE x.rate END, 2)
           AS requirement
  FROM objective h
  LEFT JOIN rates x
    ON x.currency = h.requirement_currency
   AND (x.valid_from <= (h.updated_at AT TIME ZONE 'UTC')::date OR x.earliest)
   AND (x.valid_until IS NULL OR (h.updated_at AT TIME ZONE 'UTC')::date < x.valid_until)
  WHERE h.status <> 'CARRIED_OVER'
),
measured AS (
  SELECT h.id AS objective_id, l.line_id, l.contributor_count, l.total, h.requirement,
         CASE WHEN h.requirement IS NOT NULL THEN greatest(l.total - h.requirement, 0) END
           AS excess,
         k.line_id IS NOT NULL AS same_kind
  FROM lines l JOIN heads h USING (line_id) LEFT JOIN same_kind k USING (line_id)
)
SELECT objective_id, line_id, contributor_count, total, 'EUR'::text AS currency, requirement,
       excess,
       round(contributor_count - 1 + CASE WHEN same_kind THEN 0.5 ELSE 0 END
             + CASE WHEN excess > 0 AND requirement > 0 THEN excess / requirement ELSE 0 END,
             4) AS score
FROM measured;

COMMENT ON VIEW aid_overlap IS E'@primaryKey objective_id\n@foreignKey (objective_id) references objective (id)|@fieldName objective|@foreignFieldName aidOverlaps\n@behavior -insert -update -delete';
