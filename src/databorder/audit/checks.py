"""The checks, as data: each a named rule with its article, severity, titles and one query.

Every query is one text that SQLite, PostgreSQL and DuckDB all accept: plain joins, `EXISTS`,
`CASE`, `GROUP BY`, a window function, no JSON functions, no date arithmetic, no casts of
parameters. It reads the audit relations (`audit/relations.py`), the pack's tables
(`audit/params.py`) and the shared relations below, and binds these parameters:

- `:window_start`, `:window_end`: the events audited (decided, read, granted, requested);
- `:as_of`: the instant deadlines and retention are judged at;
- `:home`, `:agent_threshold`: from the pack and the officer (`AuditParams`).

Checks over every disclosure or item first name what they found (`WITH found AS
MATERIALIZED`: a few rows, without the 36-character id) and then join `disclosures` on its key
(`dkey`) for the id of those rows alone; without the fence DuckDB joins every row to its
disclosure first, carrying each id through the join, which at 100 million disclosures is most
of the check's time. Each selects `types.FINDING_COLUMNS`. The registry registers a check id once; adding a
check is adding an entry here, and the tests make each fire on its violation on every engine.

The registry's entries keep no history. Where a check needs a recipient's facts at the time
of a disclosure (its safeguards, its data countries, its retention) it uses the entry only if
it was last changed before that disclosure (`updated_at <= decided_at`); a recipient changed
since is judged by the registry checks as it stands now.
"""

from collections.abc import Iterable

from databorder.audit.relations import table
from databorder.audit.types import Check, Severity
from databorder.ledger.verify import Defect

# Relations every engine builds the same way, from the audit relations and parameters.
_DISCLOSURE_COLUMNS = ", ".join(c.name for c in table("disclosures").columns)

SHARED: dict[str, str] = {
    "window_disclosures": f"""window_disclosures AS (
    SELECT {_DISCLOSURE_COLUMNS} FROM disclosures
    WHERE decided_at >= :window_start AND decided_at < :window_end)""",  # noqa: S608 (our column names)
    # What allowed disclosures released: every item not denied, with its form and what the
    # item checks read of its disclosure (the link carries it: `relations.LINKS`). The checks
    # join `disclosures` by key only for the id of the items they report.
    "released_items": """released_items AS (
    SELECT i.dkey, i.recipient_id, i.purpose, i.legal_mandate, i.cross_border, i.leaf_index,
           i.decided_at, i.item, i.form
    FROM disclosure_items i
    WHERE i.allowed AND i.form <> 'deny'
      AND i.decided_at >= :window_start AND i.decided_at < :window_end)""",
    # When each notice version was in force: from its publication to the next one's
    # (`notices.store.notice_in_force`: the latest published at or before an instant; of two
    # published at the same instant, the greater version).
    "notice_periods": """notice_periods AS (
    SELECT version, published_at AS starts_at,
           LEAD(published_at) OVER (ORDER BY published_at, version) AS ends_at
    FROM notice_versions)""",
    # How many notice versions name each recipient: the notice checks first set aside what
    # every version naming its recipient allows, and match only the rest to the version in
    # force.
    "notice_named": """notice_named AS (
    SELECT recipient_id, COUNT(DISTINCT version) AS versions
    FROM notice_recipients
    GROUP BY recipient_id)""",
}

# The ids of what a check found (`found`, by `dkey`), looked up for those rows alone. Written
# as a plain join of `disclosures`, DuckDB may build its hash table on every disclosure, not
# on the few rows found (A3-item-form: 7 of its 8 s at 10 million); as a semi-join on
# `found` it builds on those and reads only the row groups that hold them.
_FOUND_IDS = "(SELECT dkey, id FROM disclosures WHERE dkey IN (SELECT dkey FROM found)) d"


def _in_every_version(name: str, relation: str, column: str) -> str:
    """`name AS MATERIALIZED (...)`: the (recipient, `column`) pairs of `relation` (by version
    and recipient) that every notice version naming the recipient holds."""
    return f"""{name} AS MATERIALIZED (
    SELECT t.recipient_id, t.{column}
    FROM {relation} t
    JOIN notice_named v ON v.recipient_id = t.recipient_id
    GROUP BY t.recipient_id, t.{column}, v.versions
    HAVING COUNT(DISTINCT t.version) = v.versions
)"""  # noqa: S608 (names of this module)


# The version in force at `u.decided_at` (`n`) and its entry for `u.recipient_id` (`r`).
_NAMED_IN_FORCE = """JOIN notice_periods n
      ON n.starts_at <= u.decided_at AND (n.ends_at IS NULL OR u.decided_at < n.ends_at)
    JOIN notice_recipients r ON r.version = n.version AND r.recipient_id = u.recipient_id"""

# The form the pack's table gives an item: by its purpose, or by the mandate a statute names.
_TABLE_FORM = """f.scope = CASE WHEN i.legal_mandate IS NULL THEN 'purpose' ELSE 'mandate' END
      AND f.name = COALESCE(i.legal_mandate, i.purpose) AND f.item = i.item"""


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_TREE = (
    Defect.LEAF_CHANGED,
    Defect.LEAF_MOVED,
    Defect.LEAF_HASH_CHANGED,
    Defect.LEAF_MISSING,
    Defect.LEAF_INSERTED,
    Defect.NODE_CHANGED,
    Defect.NODE_MISMATCH,
    Defect.NODE_MISSING,
    Defect.NODE_INSERTED,
    Defect.STATE_MISSING,
)
_HEAD = (Defect.HEAD_SIGNATURE, Defect.HEAD_BEYOND_LOG, Defect.HEAD_ROOT)
_CONSISTENCY = (Defect.HEAD_INCONSISTENT,)


def _log_problems(defects: tuple[Defect, ...]) -> str:
    return f"""
SELECT 'log' AS record_kind, p.defect AS record, NULL AS related_kind, NULL AS related,
       p.leaf_index, NULL AS at, p.detail AS note
FROM log_problems p
WHERE p.defect IN ({_quoted(d.value for d in defects)})"""  # noqa: S608 (the ledger's enum)


class CheckRegistry:
    """Checks by id, in the order registered; an id registered twice is an error."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, check: Check) -> Check:
        if check.id in self._checks:
            raise ValueError(f"audit check {check.id!r} is already registered")
        if set(check.title) != {"ko", "en"}:
            raise ValueError(f"audit check {check.id!r} needs ko and en titles")
        self._checks[check.id] = check
        return check

    def all(self) -> tuple[Check, ...]:
        return tuple(self._checks.values())

    def get(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            raise KeyError(f"no audit check {check_id!r}") from None


REGISTRY = CheckRegistry()


def _check(
    id: str,
    article: str,
    severity: Severity,
    ko: str,
    en: str,
    finds: str,
    sql: str,
) -> Check:
    return REGISTRY.add(Check(id, article, severity, {"ko": ko, "en": en}, finds, sql.strip()))


# --- lawful ground at the time of the decision (Art. 17, 28-8(1)) ----------------------------

_check(
    "A17-no-ground",
    "PIPA 17(1), 28-8(1)",
    Severity.HIGH,
    "적법한 근거 없는 제공·이전",
    "Disclosure without a lawful basis",
    "An allowed disclosure records no basis, no provision (or entrustment) basis, or, "
    "going abroad, no transfer basis.",
    f"""
WITH found AS MATERIALIZED (
    SELECT d.dkey, d.leaf_index, d.decided_at,
           CASE WHEN f.bases IS NULL THEN 'no_basis'
                WHEN f.provision = 0 THEN 'no_provision_basis'
                ELSE 'no_transfer_basis' END AS note
    FROM window_disclosures d
    LEFT JOIN (
        SELECT dkey, COUNT(*) AS bases,
               SUM(CASE WHEN basis IN ('provision', 'entrustment', 'mandate') THEN 1 ELSE 0 END)
                   AS provision,
               SUM(CASE WHEN basis IN ('transfer', 'mandate') THEN 1 ELSE 0 END) AS transfer
        FROM disclosure_bases
        GROUP BY dkey
    ) f ON f.dkey = d.dkey
    WHERE d.allowed
      AND (f.bases IS NULL OR f.provision = 0 OR (d.cross_border AND f.transfer = 0))
)
SELECT 'disclosure' AS record_kind, d.id AS record, NULL AS related_kind, NULL AS related,
       x.leaf_index, x.decided_at AS at, x.note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

_check(
    "A17-consent-not-held",
    "PIPA 17(1)1, 28-8(1)1",
    Severity.HIGH,
    "결정 시점에 유효하지 않은 동의에 근거한 제공",
    "Disclosure resting on a consent that did not hold when decided",
    "An allowed disclosure cites a consent withdrawn at or before its decision, given after "
    "it, or not the buyer's.",
    f"""
WITH found AS MATERIALIZED (
    SELECT d.dkey, dc.consent_id, d.leaf_index, d.decided_at,
           CASE WHEN c.id IS NULL THEN 'consent_missing'
                WHEN c.given_at > d.decided_at THEN 'given_after'
                ELSE 'withdrawn_before' END AS note
    FROM window_disclosures d
    JOIN disclosure_consents dc ON dc.dkey = d.dkey
    LEFT JOIN consents c ON c.subject_id = d.subject_id AND c.id = dc.consent_id
    WHERE d.allowed
      AND (c.id IS NULL OR c.given_at > d.decided_at OR c.withdrawn_at <= d.decided_at)
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'consent' AS related_kind,
       x.consent_id AS related, x.leaf_index, x.decided_at AS at, x.note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

# The certification basis is looked for only in the disclosures to recipients lacking either
# safeguard (`lacking`, fenced): inside the `OR`, DuckDB looked for it under every disclosure
# abroad (3.4 s of CPU at 10 million, 1.6 s now).
_check(
    "A28-8-safeguards-at-decision",
    "PIPA 28-8(1), 28-8(4)",
    Severity.HIGH,
    "보호조치 없는 수령자에게 국외 이전",
    "Transfer abroad to a recipient without safeguards",
    "A disclosure went abroad while the recipient, unchanged in the registry since, had no "
    "contract safeguards, or rested on a certification without its measures.",
    f"""
WITH lacking AS MATERIALIZED (
    SELECT d.dkey, d.recipient_id, d.leaf_index, d.decided_at, r.contract_safeguards
    FROM window_disclosures d
    JOIN recipients r ON r.id = d.recipient_id
    WHERE d.allowed AND d.cross_border AND r.updated_at <= d.decided_at
      AND (NOT r.contract_safeguards OR NOT r.certification_measures)
),
found AS MATERIALIZED (
    SELECT l.dkey, l.recipient_id, l.leaf_index, l.decided_at,
           CASE WHEN NOT l.contract_safeguards THEN 'contract_safeguards_missing'
                ELSE 'certification_measures_missing' END AS note
    FROM lacking l
    WHERE NOT l.contract_safeguards
       OR EXISTS (
           SELECT 1 FROM disclosure_bases b
           WHERE b.dkey = l.dkey AND b.basis = 'transfer' AND b.ground = 'certification')
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'recipient' AS related_kind,
       x.recipient_id AS related, x.leaf_index, x.decided_at AS at, x.note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

_check(
    "A28-9-suspended",
    "PIPA 28-9, 28-8(1)",
    Severity.HIGH,
    "중지명령 기간 중의 국외 이전",
    "Transfer abroad under a suspension order",
    "A disclosure went abroad, not under a statute, while a suspension order in force named "
    "the recipient or one of its countries.",
    """
SELECT 'disclosure' AS record_kind, d.id AS record, 'suspension_order' AS related_kind,
       o.id AS related, d.leaf_index, d.decided_at AS at,
       CASE WHEN o.recipient_id IS NOT NULL THEN 'order_names_recipient'
            ELSE 'order_names_country' END AS note
FROM window_disclosures d
JOIN suspension_orders o
  ON o.starts_at <= d.decided_at AND (o.ends_at IS NULL OR d.decided_at < o.ends_at)
WHERE d.allowed AND d.cross_border AND d.legal_mandate IS NULL
  AND (o.recipient_id = d.recipient_id
       OR o.country = d.recipient_country
       OR EXISTS (
           SELECT 1 FROM recipient_data_countries c
           JOIN recipients r ON r.id = c.recipient_id
           WHERE c.recipient_id = d.recipient_id AND c.country = o.country
             AND r.updated_at <= d.decided_at))
""",
)

# --- what the buyer was told (Art. 28-8(2)) ------------------------------------------------

# A recipient every version names cannot be missing from the one in force, once one is: only
# the disclosures abroad to other recipients, or made before the first version, are matched to
# the version in force (range-joining every disclosure abroad to the notice periods sorted
# them all).
_check(
    "A28-8-2-not-in-notice",
    "PIPA 28-8(2)3",
    Severity.HIGH,
    "처리방침에 공개되지 않은 수령자에게 국외 이전",
    "Transfer abroad to a recipient the notice in force did not name",
    "A disclosure went abroad to a recipient the notice version in force at its decision did "
    "not name, or when no version was in force.",
    f"""
WITH named_always AS MATERIALIZED (
    SELECT recipient_id FROM notice_named
    WHERE versions = (SELECT COUNT(*) FROM notice_versions)
),
unnamed AS MATERIALIZED (
    SELECT d.dkey, d.recipient_id, d.leaf_index, d.decided_at
    FROM window_disclosures d
    LEFT JOIN named_always a ON a.recipient_id = d.recipient_id
    WHERE d.allowed AND d.cross_border
      AND (a.recipient_id IS NULL
           OR d.decided_at < (SELECT MIN(published_at) FROM notice_versions))
),
found AS MATERIALIZED (
    SELECT u.dkey, n.version, u.leaf_index, u.decided_at
    FROM unnamed u
    LEFT JOIN notice_periods n
      ON n.starts_at <= u.decided_at AND (n.ends_at IS NULL OR u.decided_at < n.ends_at)
    WHERE NOT EXISTS (
        SELECT 1 FROM notice_recipients r
        WHERE r.version = n.version AND r.recipient_id = u.recipient_id)
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'notice_version' AS related_kind,
       x.version AS related, x.leaf_index, x.decided_at AS at,
       CASE WHEN x.version IS NULL THEN 'no_version_in_force'
            ELSE 'recipient_not_named' END AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

# Likewise: a country every version naming the recipient names for it (its seat or one of its
# data countries) is never missing; only the other disclosures abroad meet the range join.
_check(
    "A28-8-2-country-not-in-notice",
    "PIPA 28-8(2)2",
    Severity.HIGH,
    "처리방침에 공개되지 않은 국가로 국외 이전",
    "Transfer abroad to a country the notice in force did not name",
    "The notice in force named the recipient, but not the country the disclosure went to.",
    f"""
WITH notice_countries AS (
    SELECT version, recipient_id, country FROM notice_recipients
    UNION
    SELECT version, recipient_id, country FROM notice_recipient_countries
),
{_in_every_version("named_always", "notice_countries", "country")},
unlisted AS MATERIALIZED (
    SELECT d.dkey, d.recipient_id, d.recipient_country, d.leaf_index, d.decided_at
    FROM window_disclosures d
    LEFT JOIN named_always a
      ON a.recipient_id = d.recipient_id AND a.country = d.recipient_country
    WHERE d.allowed AND d.cross_border AND a.recipient_id IS NULL
),
found AS MATERIALIZED (
    SELECT u.dkey, n.version, u.leaf_index, u.decided_at
    FROM unlisted u
    {_NAMED_IN_FORCE}
    WHERE r.country <> u.recipient_country
      AND NOT EXISTS (
          SELECT 1 FROM notice_recipient_countries c
          WHERE c.version = r.version AND c.recipient_id = r.recipient_id
            AND c.country = u.recipient_country)
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'notice_version' AS related_kind,
       x.version AS related, x.leaf_index, x.decided_at AS at, 'country_not_named' AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

# Most items abroad go to a recipient every notice naming it lists them for (`listed`: a few
# thousand pairs), so only the others (`unlisted`: a few rows) are matched to the version in
# force and its list. Joining every item abroad to its version instead, DuckDB built the hash
# table of the `notice_recipients` join on the items (its estimate of them far too low): 32 s
# of the check's 33 at 10 million, 83 s at 100 million; an anti-join on a small relation
# leaves it nothing to misjudge.
_check(
    "A28-8-2-item-not-in-notice",
    "PIPA 28-8(2)1",
    Severity.MEDIUM,
    "처리방침에 공개되지 않은 항목의 국외 이전",
    "Item transferred abroad that the notice in force did not list",
    "A disclosure abroad released an item the notice in force did not list for the recipient.",
    f"""
WITH {_in_every_version("listed", "notice_recipient_items", "item")},
unlisted AS MATERIALIZED (
    SELECT i.dkey, i.recipient_id, i.item, i.leaf_index, i.decided_at
    FROM released_items i
    LEFT JOIN listed l ON l.recipient_id = i.recipient_id AND l.item = i.item
    WHERE i.cross_border AND l.item IS NULL
),
found AS MATERIALIZED (
    SELECT u.dkey, u.item, u.leaf_index, u.decided_at
    FROM unlisted u
    {_NAMED_IN_FORCE}
    WHERE NOT EXISTS (
        SELECT 1 FROM notice_recipient_items t
        WHERE t.version = r.version AND t.recipient_id = r.recipient_id AND t.item = u.item)
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'item' AS related_kind,
       x.item AS related, x.leaf_index, x.decided_at AS at, 'item_not_listed' AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

# --- only what the purpose needs (Art. 3, 24, 24-2) -----------------------------------------

_check(
    "A24-2-prohibited-item",
    "PIPA 24, 24-2",
    Severity.HIGH,
    "처리가 제한된 항목(주민등록번호 등)의 제공",
    "Prohibited item released",
    "A disclosure released an item the pack prohibits (the resident registration number).",
    f"""
WITH found AS MATERIALIZED (
    SELECT i.dkey, i.item, i.form, i.leaf_index, i.decided_at
    FROM released_items i
    JOIN prohibited_items p ON p.item = i.item
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'item' AS related_kind,
       x.item AS related, x.leaf_index, x.decided_at AS at, x.form AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

_check(
    "A3-item-not-needed",
    "PIPA 3(1)",
    Severity.MEDIUM,
    "목적에 필요하지 않은 항목의 제공",
    "Item released beyond what the purpose needs",
    "A disclosure released an item its purpose's table (or its mandate) does not list.",
    f"""
WITH found AS MATERIALIZED (
    SELECT i.dkey, i.item, i.leaf_index, i.decided_at
    FROM released_items i
    LEFT JOIN prohibited_items p ON p.item = i.item
    LEFT JOIN item_forms f ON {_TABLE_FORM}
    WHERE p.item IS NULL AND f.item IS NULL
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'item' AS related_kind,
       x.item AS related, x.leaf_index, x.decided_at AS at, 'not_needed' AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

_check(
    "A3-item-form",
    "PIPA 3(1)",
    Severity.MEDIUM,
    "목적에 필요한 것보다 노출된 형태로 제공",
    "Item released in a more revealing form than the purpose needs",
    "A disclosure released an item plain where the table says masked or relayed (or masked "
    "where it says relayed).",
    f"""
WITH found AS MATERIALIZED (
    SELECT i.dkey, i.item, i.form, i.leaf_index, i.decided_at
    FROM released_items i
    JOIN item_forms f ON {_TABLE_FORM}
    JOIN form_exposure released ON released.form = i.form
    JOIN form_exposure needed ON needed.form = f.form
    WHERE released.exposure > needed.exposure
)
SELECT 'disclosure' AS record_kind, d.id AS record, 'item' AS related_kind,
       x.item AS related, x.leaf_index, x.decided_at AS at, x.form AS note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
""",  # noqa: S608 (a constant of this module)
)

# --- retention (Art. 21) and withdrawal (Art. 37) --------------------------------------------

_check(
    "A21-grant-past-retention",
    "PIPA 21(1)",
    Severity.MEDIUM,
    "보유기간을 넘긴 접근 권한",
    "Access grant alive past its retention",
    "A grant not ended though it expired, or granted for longer than its purpose allows or "
    "than the recipient keeps data.",
    """
SELECT 'access_grant' AS record_kind, g.id AS record, 'disclosure' AS related_kind,
       d.id AS related, d.leaf_index, g.expires_at AS at,
       CASE WHEN g.revoked_at IS NULL AND g.expires_at <= :as_of THEN 'not_ended'
            WHEN g.access_days > c.max_days THEN 'longer_than_purpose'
            ELSE 'longer_than_recipient_retention' END AS note
FROM access_grants g
LEFT JOIN disclosures d ON d.order_id = g.order_id AND d.grant_id = g.id
LEFT JOIN purpose_caps c ON c.purpose = g.purpose
LEFT JOIN recipients r ON r.id = g.recipient_id
WHERE g.created_at >= :window_start AND g.created_at < :window_end
  AND ((g.revoked_at IS NULL AND g.expires_at <= :as_of)
       OR g.access_days > c.max_days
       OR (g.access_days > r.retention_days AND r.updated_at <= g.created_at))
""",
)

_check(
    "A21-read-after-end",
    "PIPA 21(1)",
    Severity.HIGH,
    "접근 권한 종료 후의 열람",
    "Data read after its grant ended",
    "A recipient read data at or after its grant's expiry or revocation.",
    """
SELECT 'seller_read' AS record_kind, s.id AS record, 'access_grant' AS related_kind,
       g.id AS related, s.leaf_index, s.read_at AS at,
       CASE WHEN s.read_at >= g.expires_at THEN 'after_expiry'
            ELSE 'after_revocation' END AS note
FROM seller_reads s
JOIN access_grants g ON g.recipient_id = s.recipient_id AND g.id = s.grant_id
WHERE s.read_at >= :window_start AND s.read_at < :window_end
  AND (s.read_at >= g.expires_at OR s.read_at >= g.revoked_at)
""",
)

# The grants a withdrawal outlived first (a few), then their disclosures' leaves, looked up by
# the grant ids found: joined for every grant before the filter, as it was, DuckDB built a
# hash table of every disclosure's order and grant ids. The `GROUP BY ... HAVING` changes no
# row; it is there for DuckDB's estimate, which puts `found` at three times the disclosures at
# 100 million (294 million rows; five are found) and, without it, builds the semi-join on
# every disclosure (50 of the check's 66 s); a filtered group estimates smaller.
_check(
    "A37-grant-outlives-withdrawal",
    "PIPA 37(1)",
    Severity.HIGH,
    "동의 철회 후에도 유지된 접근 권한",
    "Access grant kept after the consent it rested on was withdrawn",
    "A consent was withdrawn while a grant resting on it was live, and the grant was not "
    "revoked at that moment.",
    """
WITH found AS MATERIALIZED (
    SELECT g.id, g.order_id, c.id AS consent_id, c.withdrawn_at, g.revoked_at
    FROM access_grants g
    JOIN grant_consents gc ON gc.recipient_id = g.recipient_id AND gc.grant_id = g.id
    JOIN consents c ON c.subject_id = g.subject_id AND c.id = gc.consent_id
    WHERE c.withdrawn_at >= :window_start AND c.withdrawn_at < :window_end
      AND c.withdrawn_at <= :as_of
      AND c.withdrawn_at >= g.created_at AND c.withdrawn_at < g.expires_at
      AND (g.revoked_at IS NULL OR g.revoked_at > c.withdrawn_at)
)
SELECT 'access_grant' AS record_kind, x.id AS record, 'consent' AS related_kind,
       x.consent_id AS related, d.leaf_index, x.withdrawn_at AS at,
       CASE WHEN x.revoked_at IS NULL THEN 'not_revoked' ELSE 'revoked_late' END AS note
FROM found x
LEFT JOIN (
    SELECT order_id, grant_id, leaf_index FROM disclosures
    WHERE grant_id IN (SELECT id FROM found GROUP BY id HAVING COUNT(*) > 0)
) d ON d.order_id = x.order_id AND d.grant_id = x.id
""",
)

# --- the registry (Art. 28-8(4), 31-2) -------------------------------------------------------

_check(
    "A28-8-4-no-safeguards",
    "PIPA 28-8(4)",
    Severity.HIGH,
    "계약상 보호조치 없는 수령자",
    "Recipient without contract safeguards",
    "A recipient abroad or entrusted, without contract safeguards in the registry, received "
    "data in the window (the leaf is its first such disclosure).",
    """
SELECT 'recipient' AS record_kind, r.id AS record, NULL AS related_kind, NULL AS related,
       MIN(d.leaf_index) AS leaf_index, MIN(d.decided_at) AS at,
       'no_contract_safeguards' AS note
FROM recipients r
JOIN window_disclosures d ON d.recipient_id = r.id
WHERE d.allowed AND NOT r.contract_safeguards
  AND (d.cross_border OR r.role IN (SELECT role FROM entrusted_roles))
GROUP BY r.id
""",
)

_check(
    "A31-2-no-domestic-agent",
    "PIPA 31-2",
    Severity.MEDIUM,
    "국내대리인을 지정하지 않은 국외 사업자",
    "Overseas business without a domestic agent",
    "A recipient seated abroad with no domestic agent received the data of at least the "
    "threshold's number of buyers in the window.",
    """
SELECT 'recipient' AS record_kind, r.id AS record, NULL AS related_kind, NULL AS related,
       MIN(d.leaf_index) AS leaf_index, MIN(d.decided_at) AS at,
       'no_domestic_agent' AS note
FROM recipients r
JOIN window_disclosures d ON d.recipient_id = r.id
WHERE d.allowed AND r.country <> :home AND r.domestic_agent_name IS NULL
GROUP BY r.id
HAVING COUNT(DISTINCT d.subject_id) >= :agent_threshold
""",
)

# --- the buyer's rights (Art. 35-38) -----------------------------------------------------------

_check(
    "A35-request-overdue",
    "PIPA 35-38",
    Severity.HIGH,
    "처리기한을 넘긴 정보주체 권리 요청",
    "Rights request past its deadline",
    "A request still open after its deadline, or closed after it.",
    """
SELECT 'rights_request' AS record_kind, q.id AS record, 'request_kind' AS related_kind,
       q.kind AS related, NULL AS leaf_index, q.deadline AS at,
       CASE WHEN q.completed_at IS NULL THEN 'open_past_deadline'
            ELSE 'closed_late' END AS note
FROM rights_requests q
WHERE q.created_at >= :window_start AND q.created_at < :window_end
  AND ((q.completed_at IS NULL AND q.deadline < :as_of) OR q.completed_at > q.deadline)
""",
)

_check(
    "A36-erasure-unacknowledged",
    "PIPA 36",
    Severity.HIGH,
    "모든 수령자가 확인하지 않은 삭제 요청",
    "Erasure not acknowledged by every recipient",
    "A recipient that received the buyer's data before an erasure was never told, or had not "
    "acknowledged by the deadline (the leaf is its first disclosure to it).",
    """
SELECT 'rights_request' AS record_kind, q.id AS record, 'recipient' AS related_kind,
       d.recipient_id AS related, MIN(d.leaf_index) AS leaf_index, q.deadline AS at,
       CASE WHEN t.id IS NULL THEN 'recipient_not_told' ELSE 'not_acknowledged' END AS note
FROM rights_requests q
JOIN disclosures d
  ON d.subject_id = q.subject_id AND d.allowed AND d.decided_at <= q.created_at
LEFT JOIN rights_tasks t
  ON t.subject_id = q.subject_id AND t.request_id = q.id AND t.recipient_id = d.recipient_id
WHERE q.kind = 'erasure' AND q.state <> 'rejected'
  AND q.created_at >= :window_start AND q.created_at < :window_end
  AND (t.id IS NULL OR (t.state <> 'acknowledged' AND q.deadline < :as_of))
GROUP BY q.id, d.recipient_id, q.deadline, t.id
""",
)

# --- the log itself (integrity) ------------------------------------------------------------------


def _leaf_note(record: str) -> str:
    """Why a record (`record`'s alias) fails its leaf, `l` being the leaf at its index."""
    return f"""CASE WHEN {record}.leaf_index IS NULL THEN 'not_logged'
            WHEN l.leaf_index IS NULL THEN 'leaf_missing'
            ELSE 'leaf_records_another' END AS note"""


_check(
    "LOG-record-without-leaf",
    "integrity",
    Severity.CRITICAL,
    "로그 항목이 없는 기록",
    "Record without its log leaf",
    "A disclosure or read has no leaf index, its leaf is missing, or its leaf records "
    "another record.",
    f"""
WITH found AS MATERIALIZED (
    SELECT d.dkey, d.leaf_index, d.decided_at, {_leaf_note("d")}
    FROM disclosures d
    LEFT JOIN log_leaf_records l ON l.leaf_index = d.leaf_index
    WHERE d.leaf_index IS NULL OR l.leaf_index IS NULL
       OR COALESCE(l.record_type, '') <> 'disclosure' OR l.record_key IS NULL
       OR l.record_key <> d.dkey
)
SELECT 'disclosure' AS record_kind, d.id AS record, NULL AS related_kind, NULL AS related,
       x.leaf_index, x.decided_at AS at, x.note
FROM found x
JOIN {_FOUND_IDS} ON d.dkey = x.dkey
UNION ALL
SELECT 'seller_read' AS record_kind, s.id AS record, NULL AS related_kind, NULL AS related,
       s.leaf_index, s.read_at AS at, {_leaf_note("s")}
FROM seller_reads s
LEFT JOIN log_leaf_records l ON l.leaf_index = s.leaf_index
WHERE s.leaf_index IS NULL OR l.leaf_index IS NULL
   OR COALESCE(l.record_type, '') <> 'seller_read' OR COALESCE(l.record_id, '') <> s.id
""",  # noqa: S608 (a constant of this module)
)

_check(
    "LOG-leaf-without-record",
    "integrity",
    Severity.CRITICAL,
    "기록이 없는 로그 항목",
    "Log leaf without its record",
    "A leaf records a disclosure no row holds at that index. (Reads are not checked this "
    "way: their rows are deleted after the read-log retention, their leaves stay.)",
    """
SELECT 'disclosure' AS record_kind, l.record_id AS record, NULL AS related_kind,
       NULL AS related, l.leaf_index, NULL AS at,
       CASE WHEN EXISTS (SELECT 1 FROM disclosures o WHERE o.dkey = l.record_key)
            THEN 'record_names_another_leaf' ELSE 'record_missing' END AS note
FROM log_leaf_records l
WHERE l.record_type = 'disclosure'
  AND NOT EXISTS (
      SELECT 1 FROM disclosures d WHERE d.dkey = l.record_key AND d.leaf_index = l.leaf_index)
""",
)

_check(
    "LOG-tree",
    "integrity",
    Severity.CRITICAL,
    "변조된 로그 트리",
    "Log tree altered",
    "A leaf or tree node was changed, moved, deleted or inserted (the ledger's verification; "
    "the leaf is the first it touches).",
    _log_problems(_TREE),
)

_check(
    "LOG-head",
    "integrity",
    Severity.CRITICAL,
    "검증되지 않는 서명된 트리 헤드",
    "Signed tree head that does not verify",
    "A signed head's signature fails, or its root is not the stored tree's, or it covers "
    "leaves the log no longer holds.",
    _log_problems(_HEAD),
)

_check(
    "LOG-consistency",
    "integrity",
    Severity.CRITICAL,
    "이전 헤드와 일관되지 않은 로그",
    "Log history inconsistent with an earlier head",
    "An earlier signed head is not consistent with the latest one: the history was forked or "
    "rewritten (the leaf is the last size the tree still matches).",
    _log_problems(_CONSISTENCY),
)

CHECKS: tuple[Check, ...] = REGISTRY.all()
LOG_DEFECTS: dict[str, tuple[Defect, ...]] = {
    "LOG-tree": _TREE,
    "LOG-head": _HEAD,
    "LOG-consistency": _CONSISTENCY,
}
