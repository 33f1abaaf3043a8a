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
    "repair_channel": ("counter", "phone"),
}

SLOTS: tuple[str, ...] = (
    "surname", "title", "name", "unit", "building", "company", "site", "colleague",
    "colleague_role", "director", "phone", "item", "items", "months", "amount", "minutes",
    "hours", "time", "new_time", "workers", "deposit", "permit_fee", "pass_deposit",
    "referral_name", "referral_phone", "slip_no", "owner", "tenant", "place", "reason",
    "receipt_no", "message", "resident_kind", "due", "category", "referral",
    "id_type", "id_no", "plate", "driver", "driver_id", "department",
)

PROMISE_KINDS: tuple[str, ...] = (
    "invoice_delivery", "renovation_approval", "director_message", "repair_arrival",
    "repair_reschedule", "complaint_reply", "callback", "referral_number", "message",
    "arrears_follow_up",
)

OUTCOMES: tuple[str, ...] = ("done", "referred", "refused", "pending", "escalated")

ADDRESSEES: tuple[str, ...] = (
    "visitor", "a", "b", "caller", "owner", "tenant", "colleague", "supervisor", "director",
    "engineering", "finance",
)

OPTION_KEYS: str = "123456789yn"

# Record fields an option may set (`sets.<field> = "<value>"`), with their allowed values.
SETTABLE: dict[str, tuple[str, ...]] = {
    "purpose": (
        "transfer", "renovation", "payment", "repair", "release", "director", "question",
        "inquiry", "complaint", "message", "invalid",
    ),
    "resident_kind": ("owner", "tenant"),
    "area": ("household", "public"),
    "hurry": ("yes",),
    "owner_answer": ("agrees", "refuses", "unreachable"),
    "complaint_category": ("engineering_quality", "property_management", "planning_design", "customer_service", "other"),
    "severity": ("general", "major"),
}

# Slots the clerk may be asked to fill at a step (`ask = [...]`), with the kind of value.
ASKABLE: dict[str, str] = {
    "name": "text", "surname": "text", "phone": "phone", "workers": "count", "amount": "money",
    "receipt_no": "text", "reason": "text", "place": "text", "items": "goods", "item": "text",
    "time": "appointment", "new_time": "appointment", "category": "category", "referral": "count",
    "id_type": "id_type", "id_no": "id_no", "plate": "plate", "driver": "text", "driver_id": "id_no",
    "department": "text", "message": "text", "resident_kind": "resident_kind",
    "unit": "unit", "title": "title", "due": "due", "referral_name": "text", "referral_phone": "phone",
}

# What a step may do in the store (`does = "<action>"`): the slots the action needs (asked at
# that step or before) and when it runs — as the clerk leaves the step, or as the step is reached.
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "take_payment": (("amount", "receipt_no"), "leave"),
    "register_resident": (("name", "phone", "resident_kind"), "leave"),
    "renovation_fees": (("workers",), "leave"),
    "open_renovation": (("workers",), "enter"),
    "escalate_supervisor": ((), "enter"),
    "escalate_director": ((), "enter"),
    "open_repair": (("item", "category"), "leave"),
    "dispatch_repair": (("time",), "leave"),
    "refer_repair": (("referral",), "leave"),
    "check_id": (("id_type", "id_no"), "leave"),
    "record_goods": (("items", "plate", "driver", "driver_id"), "leave"),
    "sign_release": ((), "leave"),
    "notify_director": ((), "enter"),
    "refuse_release": ((), "enter"),
    "owner_answer": ((), "leave"),
    "issue_slip": ((), "enter"),
    "judge_invalid": (("reason",), "leave"),
    "accept_feedback": (("department",), "leave"),
}
