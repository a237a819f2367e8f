"""A self-contained HTML report (annotated images embedded) to download, print or keep.

It only formats a ReportView; everything is escaped, so a photo's file name can't
inject markup.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime
from html import escape

import numpy as np
from PIL import Image

from posture.annotated import annotated_image
from posture.assessment.corrections import Exercise, Safety
from posture.assessment.pain import region_label
from posture.presentation import MeasurementLine, PhotoSection, ReportHeader, ReportView, ShownFinding, Summary

REPORT_IMAGE_LONG_SIDE_PX = 1000
STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222;line-height:1.45}
.notice{border:2px solid #c0392b;background:#fdf2f1;padding:.6rem 1rem;border-radius:6px}
.disclaimer{background:#f4f6f8;padding:.6rem 1rem;border-radius:6px}
.photo{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.photo img{max-width:28rem;width:100%}
table{border-collapse:collapse}td,th{padding:.15rem .5rem;border-bottom:1px solid #ddd;text-align:left}
.unsure{color:#666}h3{margin-bottom:.2rem}
.exercise{display:flex;gap:.8rem;align-items:flex-start;margin:.4rem 0}
img.pose{width:10rem;flex:none;border:1px solid #ddd;border-radius:4px}
.header td{border:none;padding:0 1rem 0 0}
.short{border:2px solid #2e7d32;background:#f3faf3;padding:.2rem 1rem .6rem;border-radius:6px;margin:1rem 0}
"""


def page_head(title: str) -> str:
    """The document's head and title (escaped by the caller), laid out at the device's width: without
    the viewport a phone drew the report 980 px wide, its text ~5 px tall."""
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>")


def report_html(view: ReportView, title: str = "Posture screen") -> str:
    parts = [
        page_head(escape(title)),
        header_html(view.header),
        f"<p>Made {datetime.now():%Y-%m-%d %H:%M}. Suggestions from photos, not a diagnosis.</p>",
        _safety(view.summary.safety),
        in_short_html(view),
    ]
    parts += [_photo(section) for section in view.photos]
    parts += [findings_html(view.summary), corrections_html(view.summary), "</body></html>"]
    return "\n".join(parts)


def header_html(header: ReportHeader) -> str:
    """Whom and when the report is about (also the progress report's)."""
    rows = "".join(f"<tr><td>{escape(label)}</td><td><strong>{escape(value)}</strong></td></tr>"
                   for label, value in header.rows)
    return f"<table class='header'>{rows}</table>"


def in_short_html(view: ReportView) -> str:
    """What matters most, the notes on the photos, the short plan with its time and the stop rule,
    and the one retake: first, before the details."""
    summary = view.summary
    top = "".join(f"<li><strong>{escape(s.finding.label)}</strong>: {escape(s.headline.lower())}</li>"
                  for s in summary.top) or f"<li>{escape(summary.no_finding)}</li>"
    more = len(summary.findings) - len(summary.top)
    more_text = f"<p>{more} more below.</p>" if more > 0 else ""
    notes = (f"<p><strong>Notes on the photos</strong> (what to do: below): {escape('; '.join(view.photo_notes))}.</p>"
             if view.photo_notes else "")
    plan = _withheld(summary)
    if summary.plan.items:
        items = "".join(
            f"<li><div class='exercise'>{_picture(i.exercise)}<div><strong>{escape(i.exercise.title)}</strong>"
            f"{escape(i.side_text)}: {escape(i.exercise.dosage)} <em>(for {escape(', '.join(i.for_findings))})</em>"
            f"<br>{escape(i.exercise.instructions)}</div></div></li>"
            for i in summary.plan.items)
        left_out = (f"<p>{summary.left_out} exercise(s) left out (findings that disagree, or your pain): see below.</p>"
                    if summary.left_out else "")
        plan = (f"<h3>Your plan</h3><p>{escape(summary.plan.time_text)}</p><ol>{items}</ol>{left_out}"
                f"<p>{escape(summary.safety.stop_rule)}</p>")
    retake = f"<p><strong>To tell more:</strong> {escape(summary.retake)}</p>" if summary.retake else ""
    return f"<div class='short'><h2>In short</h2><ul>{top}</ul>{more_text}{notes}{plan}{retake}</div>"


def image_data_uri(rgb: np.ndarray, long_side_px: int = REPORT_IMAGE_LONG_SIDE_PX) -> str:
    image = Image.fromarray(rgb)
    image.thumbnail((long_side_px, long_side_px))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def picture_data_uri(png: bytes) -> str:
    """An exercise picture (a small PNG) as a data URI, so the report stays one file."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _picture(exercise: Exercise) -> str:
    """The drawing of an exercise's key position, or nothing when it has none."""
    png = exercise.picture
    if png is None:
        return ""
    return f"<img class='pose' alt='{escape(exercise.title)}' src='{picture_data_uri(png)}'>"


def _safety(safety: Safety) -> str:
    advice = "".join(f"<p><strong>{escape(a)}</strong></p>" for a in safety.pain_advice)
    flags = "".join(f"<li>{escape(flag)}</li>" for flag in safety.red_flags)
    return (
        f"<div class='notice'>{advice}<p><strong>{escape(safety.red_flag_advice)}</strong></p>"
        f"<ul>{flags}</ul><p>{escape(safety.stop_rule)}</p></div>"
        f"<p class='disclaimer'>{escape(safety.disclaimer)}</p>"
    )


def _photo(section: PhotoSection) -> str:
    name = escape(section.title)
    if not section.ok:
        return f"<h2>{name}</h2><p class='notice'>Not analysed: {escape(section.error)}</p>"
    image = annotated_image(section)
    img = f"<img alt='annotated {name}' src='{image_data_uri(image)}'>" if image is not None else ""
    rows = "".join(
        f"<tr class='{'measured' if m.measured else 'unsure'}'><td>{escape(m.name)}</td>"
        f"<td>{escape(m.value_text)}</td><td>{escape(_meaning(m))}</td></tr>"
        for m in section.measurements
    )
    warnings = "".join(f"<li>{escape(w)}</li>" for w in section.warnings)
    return (
        f"<h2>{name}: {escape(section.view_label)} view</h2><div class='photo'>{img}<div>"
        f"{'<p>' + escape(section.points_text) + '</p>' if section.points_text else ''}"
        f"<table><tr><th>Measurement</th><th>Value</th><th>Sign</th></tr>{rows}</table>"
        f"{'<ul>' + warnings + '</ul>' if warnings else ''}</div></div>"
    )


def _meaning(m: MeasurementLine) -> str:
    if not m.measured:
        return m.reason or ""
    return f"{m.sign_convention}; no finding: {m.doubt}" if m.doubt else m.sign_convention


def _finding_item(shown: ShownFinding) -> str:
    f = shown.finding
    return (f"<li><strong>{escape(f.label)}</strong>: {escape(f.severity)}, {escape(shown.sureness)}; "
            f"{escape(shown.measurement)} {escape(shown.evidence)}</li>")


def findings_html(summary: Summary) -> str:
    """The findings, the patterns they form and what could not be told (also the progress report's)."""
    items = "".join(map(_finding_item, summary.findings)) or f"<li>{escape(summary.no_finding)}</li>"
    patterns = "".join(map(_finding_item, summary.patterns))
    cant = "".join(f"<li>{escape(u.label)}: {escape(u.note)}</li>" for u in summary.unsure)
    not_told = "".join(f"<li>{escape(line)}</li>" for line in summary.not_told)
    return (
        f"<h2>What the photos suggest</h2><ul>{items}</ul>"
        + (f"<h3>Together they form</h3><ul>{patterns}</ul>" if patterns else "")
        + (f"<h3>Can't tell from these photos</h3><ul class='unsure'>{cant}</ul>" if cant else "")
        + (f"<h3>Not told by these photos</h3><ul class='unsure'>{not_told}</ul>" if not_told else "")
    )


def _withheld(summary: Summary) -> str:
    """Why no exercise is listed (a red flag ticked), where the plan would be."""
    if not summary.safety.withheld:
        return ""
    return f"<p class='notice'><strong>No exercises:</strong> {escape(summary.safety.withheld)}</p>"


def corrections_html(summary: Summary) -> str:
    if not summary.corrections:
        return f"<h2>Corrections</h2>{_withheld(summary)}<p>None: no finding calls for targeted exercises.</p>"
    parts = ["<h2>Corrections</h2>", _withheld(summary)]
    for rec in summary.corrections:
        linked = (f" <em>(linked to your {escape(', '.join(map(region_label, rec.pain_regions)))} pain)</em>"
                  if rec.pain_regions else "")
        parts.append(f"<h3>{escape(rec.label)} ({escape(rec.severity)}){linked}</h3><p>{escape(rec.meaning)}</p><ul>")
        for kind, items in (("Stretch", rec.stretch), ("Strengthen", rec.strengthen)):
            for ex in items:
                parts.append(
                    f"<li><div class='exercise'>{_picture(ex)}<div><strong>{kind} ({escape(ex.side)}): "
                    f"{escape(ex.title)}</strong>, {escape(ex.dosage)}. {escape(ex.instructions)}</div></div></li>"
                )
        parts += [f"<li>Caution: {escape(c)}</li>" for c in rec.avoid]
        parts += [f"<li>Not listed: {escape(note)}</li>" for note in rec.left_out]
        parts.append("</ul>")
    return "".join(parts)
