"""The readable text report (`posture analyze` without --json): formats a ReportView."""

from __future__ import annotations

from posture.assessment.pain import region_label
from posture.presentation import PhotoSection, ReportView, ShownFinding, Summary


def report_text(view: ReportView) -> str:
    """The report of the analysed photos; a photo that could not be analysed is an error, which
    the command line says on stderr."""
    lines = ["POSTURE SCREEN (suggestions from photos, not a diagnosis)", view.header.line, ""]
    lines += _in_short(view)
    for section in view.photos:
        lines += _photo_text(section) if section.ok else []
    lines += _findings_text(view.summary)
    lines += _recommendations_text(view.summary)
    lines += _safety_text(view.summary)
    return "\n".join(lines) + "\n"


def _in_short(view: ReportView) -> list[str]:
    """What matters most, the notes on the photos, the short plan and the one retake; the details follow."""
    summary = view.summary
    lines = ["IN SHORT"]
    if not summary.top:
        lines.append(f"  {summary.no_finding}")
    for shown in summary.top:
        lines.append(f"  - {shown.finding.label}: {shown.headline.lower()}.")
    if len(summary.findings) > len(summary.top):
        lines.append(f"  ({len(summary.findings) - len(summary.top)} more below.)")
    if view.photo_notes:
        lines.append(f"  Notes on the photos (what to do: below): {'; '.join(view.photo_notes)}.")
    lines += _withheld(summary)
    if summary.plan.items:
        lines.append(f"  Plan: {summary.plan.time_text}")
        for number, item in enumerate(summary.plan.items, 1):
            ex = item.exercise
            lines.append(f"    {number}. {ex.title}{item.side_text}: {ex.dosage} [for: {', '.join(item.for_findings)}]")
        if summary.left_out:
            lines.append(f"  {summary.left_out} exercise(s) left out (findings that disagree, or your pain): "
                         "see below.")
        lines.append(f"  {summary.safety.stop_rule}")
    if summary.retake:
        lines.append(f"  To tell more: {summary.retake}")
    return [*lines, ""]


def _photo_text(section: PhotoSection) -> list[str]:
    result = section.result
    width, height = result.image_size
    lines = [f"PHOTO {section.title}: {result.view.value} view ({section.view_source}), {width}x{height}, "
             f"{section.level}"]
    lines += [f"  {section.points_text}"] if section.points_text else []
    for m in section.measurements:
        if m.measured:
            cm = f"  ({m.length_cm:+.1f} cm)" if m.length_cm is not None else ""
            doubt = f"   (no finding: {m.doubt})" if m.doubt else ""
            lines.append(f"  {m.id:28s} {m.value:+7.1f} {m.unit:9s} ± {m.uncertainty:.1f}{cm}   [{m.sign_convention}]"
                         f"{doubt}")
        else:
            lines.append(f"  {m.id:28s} not measurable: {m.reason}")
    lines += [f"  ! {warning}" for warning in section.warnings]
    return [*lines, ""]


def _finding_line(shown: ShownFinding) -> str:
    f = shown.finding
    return f"  - {f.label}: {f.severity} ({shown.sureness}; {shown.measurement} {shown.evidence})"


def _findings_text(summary: Summary) -> list[str]:
    lines = ["WHAT THE PHOTOS SUGGEST"]
    if not summary.findings:
        lines.append(f"  {summary.no_finding}")
    lines += [_finding_line(shown) for shown in summary.findings]
    if summary.patterns:
        lines.append("  Together they form:")
        lines += [_finding_line(shown) for shown in summary.patterns]
    if summary.unsure:
        lines.append("  Can't tell from these photos, and why:")
        lines += [f"    - {u.label}: {u.note}" for u in summary.unsure]
    lines += [f"  {line}" for line in summary.not_told]
    return [*lines, ""]


def _withheld(summary: Summary) -> list[str]:
    """Why no exercise is listed (a red flag ticked), where the plan would be."""
    return [f"  No exercises: {summary.safety.withheld}"] if summary.safety.withheld else []


def _recommendations_text(summary: Summary) -> list[str]:
    if not summary.corrections:
        return ["CORRECTIONS", *_withheld(summary), "  None: no finding calls for targeted exercises.", ""]
    lines = ["CORRECTIONS (targeted to the findings above)", *_withheld(summary)]
    for rec in summary.corrections:
        linked = f" [linked to your {', '.join(map(region_label, rec.pain_regions))} pain]" if rec.pain_regions else ""
        lines.append(f"  {rec.label} ({rec.severity}){linked}: {rec.meaning}")
        for kind, items in (("Stretch", rec.stretch), ("Strengthen", rec.strengthen)):
            for ex in items:
                lines.append(f"    {kind} [{ex.side}]: {ex.title}, {ex.dosage}.")
                lines.append(f"        {ex.instructions}")
        for caution in rec.avoid:
            lines.append(f"    Caution: {caution}")
        lines += [f"    Not listed: {note}" for note in rec.left_out]
    return [*lines, ""]


def _safety_text(summary: Summary) -> list[str]:
    safety = summary.safety
    return [
        "SAFETY",
        *(f"  {advice}" for advice in safety.pain_advice),
        f"  {safety.stop_rule}",
        f"  {safety.red_flag_advice} Red flags: {'; '.join(safety.red_flags)}.",
        f"  {safety.disclaimer}",
    ]
