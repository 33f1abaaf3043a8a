"""What the catalogue may name: facts the domain computes, slots records fill, promise kinds.

A name used in data/catalogue/ that is not here is an error of `deskapp catalogue check`.
Labels for the screen live in the locale files (fact.*, slot.*, promise.*).
"""

from __future__ import annotations

# fact → its values, in the order offered to the clerk when the domain cannot tell.
FACTS: dict[str, tuple[str, ...]] = {
    "engineering_supervisor_present": ("yes", "no"),
    "finance_present": ("yes", "no"),
    "director_present": ("yes", "no"),
    "visitor_kind": ("owner", "tenant"),
    "owner_arrears": ("none", "some", "over_limit"),
    "tenant_arrears": ("none", "some"),
    "repair_in_house": ("yes", "no"),
}

SLOTS: tuple[str, ...] = (
    "surname", "title", "name", "unit", "building", "company", "site", "colleague",
    "colleague_role", "director", "phone", "item", "items", "months", "amount", "minutes",
    "hours", "time", "new_time", "workers", "deposit", "permit_fee", "pass_deposit",
    "referral_name", "referral_phone", "slip_no", "owner", "tenant", "place", "reason",
)

PROMISE_KINDS: tuple[str, ...] = (
    "invoice_delivery", "renovation_approval", "director_message", "repair_arrival",
    "repair_reschedule", "complaint_reply", "callback", "referral_number",
)

OUTCOMES: tuple[str, ...] = ("done", "referred", "refused", "pending", "escalated")

ADDRESSEES: tuple[str, ...] = (
    "visitor", "a", "b", "caller", "owner", "tenant", "colleague", "supervisor", "director",
    "engineering", "finance",
)

OPTION_KEYS: str = "123456789yn"
