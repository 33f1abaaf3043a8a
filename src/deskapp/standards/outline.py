"""A scenario as a readable outline, for `deskapp catalogue show`."""

from __future__ import annotations

from collections.abc import Callable

from deskapp.standards.model import Catalogue, Scenario
from deskapp.standards.registry import FACTS
from deskapp.standards.slots import fill


def outline(
    scenario: Scenario, catalogue: Catalogue, lang: str, t: Callable[..., str], policy_value: Callable[[str], object] | None = None
) -> list[str]:
    """Record slots stay as {slot}; policy slots show their value when `policy_value` is given."""
    if policy_value is not None:
        keep = lambda slot: "{" + slot + "}"  # noqa: E731
        lang_text = lambda text: fill(text(lang), {}, policy_value, keep)  # noqa: E731
    else:
        lang_text = lambda text: text(lang)  # noqa: E731
    lines = [f"{scenario.title(lang)} ({scenario.id}) — {scenario.source}", ""]
    for number, step in enumerate(_in_order(scenario), start=1):
        lines.append(f"{number}. {step.id}   [{step.source}]")
        if step.action:
            lines.append(f"   {t('outline.action')}: {lang_text(step.action)}")
        for say in step.say:
            to = f" ({t(f'addressee.{say.to}')})" if say.to else ""
            lines.append(f"   {t('outline.say')}{to}: 「{lang_text(say.text)}」")
        for rule in step.rules:
            lines.append(f"   {t('outline.rule')}: {lang_text(rule.text)}")
        for tip_id in step.tips:
            tip = catalogue.tips.get(tip_id)
            lines.append(f"   {t('outline.tip')} {tip_id}: {lang_text(tip.short) if tip else '?'}")
        if step.promise:
            lines.append(f"   {t('outline.promise')}: {t(f'promise.{step.promise}')}")
        if step.next:
            lines.append(f"   → {step.next}")
        for option in step.options:
            lines.append(f"   [{option.key}] {lang_text(option.label)} → {option.goto}")
        if step.fact:
            for value in FACTS[step.fact]:
                lines.append(f"   {t(f'fact.{step.fact}.{value}')} → {step.cases[value]}")
        if step.end:
            parts = [t("outline.end")]
            if step.outcome:
                parts.append(t(f"outcome.{step.outcome}"))
            if step.handoff:
                parts.append(t("outline.handoff", scenario=step.handoff))
            lines.append("   ■ " + " · ".join(parts))
        lines.append("")
    return lines


def _in_order(scenario: Scenario):
    """Steps in reading order: depth-first from the start, in the order of their ways on; then
    from each entry in turn."""
    seen: list[str] = []
    todo = list(reversed([scenario.start, *scenario.entries]))
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in scenario.steps:
            continue
        seen.append(step_id)
        todo.extend(reversed([target for _, target in scenario.steps[step_id].targets()]))
    return [scenario.steps[s] for s in seen]
