"""A scenario as a readable outline, for `deskapp catalogue show`."""

from __future__ import annotations

from collections.abc import Callable

from deskapp.standards.model import Catalogue, Scenario
from deskapp.standards.registry import FACTS


def outline(scenario: Scenario, catalogue: Catalogue, lang: str, t: Callable[..., str]) -> list[str]:
    lines = [f"{scenario.title(lang)} ({scenario.id}) — {scenario.source}", ""]
    for number, step in enumerate(_in_order(scenario), start=1):
        lines.append(f"{number}. {step.id}   [{step.source}]")
        if step.action:
            lines.append(f"   {t('outline.action')}: {step.action(lang)}")
        for say in step.say:
            to = f" ({t(f'addressee.{say.to}')})" if say.to else ""
            lines.append(f"   {t('outline.say')}{to}: 「{say.text(lang)}」")
        for rule in step.rules:
            lines.append(f"   {t('outline.rule')}: {rule.text(lang)}")
        for tip_id in step.tips:
            tip = catalogue.tips.get(tip_id)
            lines.append(f"   {t('outline.tip')} {tip_id}: {tip.short(lang) if tip else '?'}")
        if step.promise:
            lines.append(f"   {t('outline.promise')}: {t(f'promise.{step.promise}')}")
        if step.next:
            lines.append(f"   → {step.next}")
        for option in step.options:
            lines.append(f"   [{option.key}] {option.label(lang)} → {option.goto}")
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
    """Steps in reading order: depth-first from the start, in the order of their ways on."""
    seen: list[str] = []
    todo = [scenario.start]
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in scenario.steps:
            continue
        seen.append(step_id)
        todo.extend(reversed([target for _, target in scenario.steps[step_id].targets()]))
    return [scenario.steps[s] for s in seen]
