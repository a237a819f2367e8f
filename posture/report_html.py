"""A self-contained HTML report (annotated images embedded) to download, print or keep.

It only lays out what the analysis produced; everything is escaped, so a photo's file name can't
inject markup.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime
from html import escape

import numpy as np
from PIL import Image

from posture.analysis import Assessment, PhotoResult
from posture.annotated import annotated_image
from posture.assessment.classifier import Status
from posture.assessment.pain import region_label
from posture.report import evidence_text, measurement_name

REPORT_IMAGE_LONG_SIDE_PX = 1000
STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222;line-height:1.45}
.notice{border:2px solid #c0392b;background:#fdf2f1;padding:.6rem 1rem;border-radius:6px}
.disclaimer{background:#f4f6f8;padding:.6rem 1rem;border-radius:6px}
.photo{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.photo img{max-width:28rem;width:100%}
table{border-collapse:collapse}td,th{padding:.15rem .5rem;border-bottom:1px solid #ddd;text-align:left}
.unsure{color:#666}h3{margin-bottom:.2rem}
"""


def report_html(results: Sequence[PhotoResult], assessment: Assessment, title: str = "Posture screen") -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
        f"<p>{datetime.now():%Y-%m-%d %H:%M}. Suggestions from photos, not a diagnosis.</p>",
        _safety(assessment.safety),
    ]
    parts += [_photo(r, assessment) for r in results]
    parts += [_findings(assessment), _corrections(assessment), "</body></html>"]
    return "\n".join(parts)


def image_data_uri(rgb: np.ndarray, long_side_px: int = REPORT_IMAGE_LONG_SIDE_PX) -> str:
    image = Image.fromarray(rgb)
    image.thumbnail((long_side_px, long_side_px))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _safety(safety: dict) -> str:
    advice = "".join(f"<p><strong>{escape(a)}</strong></p>" for a in safety.get("pain_advice", []))
    flags = "".join(f"<li>{escape(flag)}</li>" for flag in safety["red_flags"])
    return (
        f"<div class='notice'>{advice}<p><strong>{escape(safety['red_flag_advice'])}</strong></p>"
        f"<ul>{flags}</ul><p>{escape(safety['stop_rule'])}</p></div>"
        f"<p class='disclaimer'>{escape(safety['disclaimer'])}</p>"
    )


def _photo(result: PhotoResult, assessment: Assessment) -> str:
    name = escape(result.path)
    if not result.ok:
        return f"<h2>{name}</h2><p class='notice'>Not analysed: {escape(result.error.message)}</p>"
    image = annotated_image(result, assessment)
    img = f"<img alt='annotated {name}' src='{image_data_uri(image)}'>" if image is not None else ""
    rows = "".join(
        f"<tr><td>{escape(measurement_name(mid))}</td><td>{m.value:+.1f} ± {m.uncertainty:.1f} {escape(m.unit)}</td>"
        f"<td>{escape(m.sign_convention)}</td></tr>" if m.measured else
        f"<tr class='unsure'><td>{escape(measurement_name(mid))}</td><td>not measurable</td>"
        f"<td>{escape(m.reason or '')}</td></tr>"
        for mid, m in result.measurements.items()
    )
    warnings = "".join(f"<li>{escape(w.message)}</li>" for w in result.warnings)
    return (
        f"<h2>{name}: {escape(result.view.value.replace('_', ' '))} view</h2><div class='photo'>{img}<div>"
        f"<table><tr><th>Measurement</th><th>Value</th><th>Sign</th></tr>{rows}</table>"
        f"{'<ul>' + warnings + '</ul>' if warnings else ''}</div></div>"
    )


def _findings(assessment: Assessment) -> str:
    present = [f for f in assessment.findings if f.status is Status.PRESENT]
    unsure = [f for f in assessment.findings if f.status is Status.CANT_TELL and not f.is_pattern]
    items = "".join(
        f"<li><strong>{escape(f.label)}</strong>: {escape(f.severity)}, confidence {f.confidence:.0%}; "
        f"{escape(measurement_name(f.evidence[0].measurement))} {escape(evidence_text(f.evidence[0]))}</li>"
        for f in present
    ) or "<li>No postural finding beyond the thresholds.</li>"
    cant = "".join(f"<li>{escape(f.label)}: {escape(f.evidence[0].note or '')}</li>" for f in unsure)
    return (
        f"<h2>What the photos suggest</h2><ul>{items}</ul>"
        + (f"<h3>Can't tell</h3><ul class='unsure'>{cant}</ul>" if cant else "")
    )


def _corrections(assessment: Assessment) -> str:
    if not assessment.recommendations:
        return "<h2>Corrections</h2><p>None: no finding calls for targeted exercises.</p>"
    parts = ["<h2>Corrections</h2>"]
    for rec in assessment.recommendations:
        linked = (f" <em>(linked to your {escape(', '.join(map(region_label, rec.pain_regions)))} pain)</em>"
                  if rec.pain_regions else "")
        parts.append(f"<h3>{escape(rec.label)} ({escape(rec.severity)}){linked}</h3><p>{escape(rec.meaning)}</p><ul>")
        for kind, items in (("Stretch", rec.stretch), ("Strengthen", rec.strengthen)):
            for ex in items:
                parts.append(
                    f"<li><strong>{kind} {escape(ex.muscle)} ({escape(ex.side)})</strong>: {escape(ex.name)}, "
                    f"{escape(ex.dosage)}. {escape(ex.instructions)}</li>"
                )
        parts += [f"<li>Caution: {escape(c)}</li>" for c in rec.avoid]
        parts.append("</ul>")
    return "".join(parts)
