"""`goszakaz ledger verify`: every invariant of the ledger (DESIGN, Money), each violation named."""

from __future__ import annotations

from django.db import connection

from goszakaz.finance import flow_totals
from goszakaz.finance.models import AccountKind


def _month_start(column: str) -> str:
    return f"({column} || '-01')"


def _month_end(column: str) -> str:
    # the last day of month YYYY-MM, compared as ISO text: '-31' sorts after every real day
    return f"({column} || '-31')"


CHECKS = {
    "total debits equal total credits": """
        SELECT 'debits ' || coalesce(sum(debits_posted), 0) || ' <> credits '
               || coalesce(sum(credits_posted), 0)
        FROM finance_ledgeraccount
        HAVING coalesce(sum(debits_posted), 0) <> coalesce(sum(credits_posted), 0)""",
    "every balance is the sum of its transfers": """
        SELECT a.kind || ':' || a.owner || ' posted ' || a.debits_posted || '/'
               || a.credits_posted || ', transfers ' || coalesce(d.s, 0) || '/' || coalesce(c.s, 0)
        FROM finance_ledgeraccount a
        LEFT JOIN (SELECT debit_id, sum(amount) s FROM finance_transfer GROUP BY debit_id) d
               ON d.debit_id = a.id
        LEFT JOIN (SELECT credit_id, sum(amount) s FROM finance_transfer GROUP BY credit_id) c
               ON c.credit_id = a.id
        WHERE a.debits_posted <> coalesce(d.s, 0) OR a.credits_posted <> coalesce(c.s, 0)""",
    "no child account below zero": f"""
        SELECT kind || ':' || owner || ' balance ' || (credits_posted - debits_posted)
        FROM finance_ledgeraccount
        WHERE kind = '{AccountKind.CHILD}' AND debits_posted > credits_posted""",
    "no cash account": f"""
        SELECT kind || ':' || owner FROM finance_ledgeraccount
        WHERE kind NOT IN ({", ".join(f"'{k}'" for k in AccountKind.values)})""",
    "a child account pays only its child's preschool or the operator": f"""
        SELECT t.id FROM finance_transfer t
        JOIN finance_ledgeraccount d ON d.id = t.debit_id AND d.kind = '{AccountKind.CHILD}'
        JOIN finance_ledgeraccount c ON c.id = t.credit_id
        WHERE c.kind NOT IN ('{AccountKind.OPERATOR}', '{AccountKind.OPERATOR_RETURNS}')
          AND NOT (c.kind = '{AccountKind.PRESCHOOL}' AND t.child_id IS NOT NULL
                   AND d.owner = CAST(t.child_id AS text)
                   AND EXISTS (
                       SELECT 1 FROM enrollment_contract k
                       JOIN registry_preschool p ON p.id = k.preschool_id
                       WHERE k.voucher_id = t.child_id AND p.bin = c.owner
                         AND k.cancelled_on IS NULL
                         AND CAST(k.starts_on AS TEXT) <= {_month_end("t.period")}
                         AND (k.ends_on IS NULL
                              OR CAST(k.ends_on AS TEXT) >= {_month_start("t.period")})))""",
}


def verify() -> list[str]:
    """Every violation of the ledger's invariants, as 'rule: detail' lines (empty: clean)."""
    problems: list[str] = []
    with connection.cursor() as cur:
        for rule, sql in CHECKS.items():
            cur.execute(sql)
            problems += [f"{rule}: {row[0]}" for row in cur.fetchall()[:50]]
    rule = "the stored daily flows equal the transfers"  # finance.flow_totals
    problems += [f"{rule}: {line}" for line in flow_totals.stored_differences()[:50]]
    return problems
