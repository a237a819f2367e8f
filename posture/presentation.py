"""What a report shows, in what order and with what words: composed once from an analysis here;
the text report, the HTML report, the app and the progress report only format it.

Why one place: four renderers that each chose their findings had come to disagree (a present
upper- or lower-crossed pattern was in the HTML download but not on screen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from posture.analysis import Analysis, PhotoResult
from posture.assessment.classifier import Evidence, Finding, Severity, Status, present
from posture.assessment.corrections import Recommendation, Safety
from posture.assessment.plan import MAX_FINDINGS, Plan, short_plan
from posture.assessment.views import View
from posture.data_files import constant, load
from posture.registry import BY_ID, Views, display_name
from posture.vision.drawing import CANT_TELL_RGB, NORMAL_RGB, PLACED_RGB, RGB, Annotation
from posture.vision.markers import PointOrigin, point_words, split_name

SEVERITY_RGB: dict[Severity, RGB] = {
    Severity.NONE: NORMAL_RGB,
    Severity.MILD: (245, 210, 40),
    Severity.MODERATE: (255, 130, 20),
    Severity.MARKED: (230, 40, 40),
}

UNDECIDED_LEGEND = "nothing could be decided: see how to retake"
SOME_UNDECIDED_LEGEND = "no findings; grey lines: can't tell"
RETAKE_ADVICE = (
    "None of this photo's measurements was certain enough to decide anything. Retake it in good light, "
    "the phone upright at hip height 2-3 m away, the whole body from head to feet in the frame, standing "
    "relaxed in fitted clothes with the hair off the neck and ears."
)


NAME_MAX_CHARS = 200
FILE_NAME_PART_CHARS = 60  # of a client's name in a download's file name


@dataclass(frozen=True)
class ReportHeader:
    """Whom and when a report is about, as every renderer heads it: given by the person who makes
    the report (the command line's options, the app's profile), never derived from the photos."""

    assessed_on: date  # the day the photos were taken
    client: str | None = None
    date_of_birth: date | None = None
    examiner: str | None = None

    def __post_init__(self) -> None:
        for what, name in (("client", self.client), ("examiner", self.examiner)):
            if name is not None and (not name.strip() or len(name) > NAME_MAX_CHARS
                                     or any(ord(c) < 32 for c in name)):
                raise ValueError(f"the {what}'s name must be 1-{NAME_MAX_CHARS} characters without line breaks "
                                 f"or control characters, got {name!r}")
        if self.date_of_birth is not None and self.date_of_birth > self.assessed_on:
            raise ValueError(f"the date of birth {self.date_of_birth} is after the assessment date {self.assessed_on}")

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        """('Client', 'Jonas P.'), ...: what is known, in the order a header reads."""
        rows = (("Client", self.client), ("Date of birth", self.date_of_birth), ("Examiner", self.examiner),
                ("Assessment date", self.assessed_on))
        return tuple((label, str(value)) for label, value in rows if value is not None)

    @property
    def line(self) -> str:
        """'Client: Jonas P. · Assessment date: 2026-03-02': the header on one line."""
        return " · ".join(f"{label}: {value}" for label, value in self.rows)

    def file_name(self, kind: str, suffix: str) -> str:
        """'posture-report-Jonas-P-2026-03-02.pdf': whose and which day, so a practitioner's
        downloads for several clients do not overwrite or mix with each other."""
        return "-".join(filter(None, ("posture", kind, file_safe(self.client or ""), str(self.assessed_on)))) + suffix


def file_safe(name: str) -> str:
    """A name as a part of a file name: ASCII letters and digits ('Zoë' as 'Zoe'), the rest one
    hyphen, at most FILE_NAME_PART_CHARS. ASCII because a browser given a download name with other
    letters by the app's server saved it under a hash ('b5284bef....pdf'); a name in another script
    leaves only the kind and the day."""
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_only).strip("-")[:FILE_NAME_PART_CHARS].strip("-")


@dataclass(frozen=True)
class ShownFinding:
    """A present finding (or pattern) as every renderer states it."""

    finding: Finding
    measurement: str  # the display name of the measurement that decided it
    evidence: str  # '-6.0 ± 1.4 deg (usual: above -2)', with the length when a height was given
    correction: Recommendation | None

    @property
    def sureness(self) -> str:
        """What the confidence is: how sure the value is outside the usual range at all (not how
        sure the severity is)."""
        return f"{self.finding.confidence:.0%} sure it is outside the usual range"

    @property
    def headline(self) -> str:
        return f"{self.finding.severity.capitalize()}, {self.sureness}"


@dataclass(frozen=True)
class Unsure:
    """A finding that could not be decided, and why."""

    label: str
    note: str
    retake: str | None = None  # a doubt's advice (what the note ends with), when a retake would tell it


@dataclass(frozen=True)
class MissingView:
    """What no photo could tell because no usable photo of its view was given: one line for the
    view, not a "can't tell" for each finding it would decide."""

    views: Views
    topics: tuple[str, ...]  # 'forward head', 'pelvic tilt', ...

    @property
    def photo(self) -> str:
        return "a side photo" if self.views is Views.SIDE else "a front or back photo"

    @property
    def text(self) -> str:
        return f"Needs {self.photo} for: {', '.join(self.topics)}."


def length_text(length_cm: float | None) -> str:
    """', +1.2 cm' after a value when a height was given (what the length is: the measurement's
    sign convention), else nothing."""
    return "" if length_cm is None else f", {length_cm:+.1f} cm"


@dataclass(frozen=True)
class MeasurementLine:
    id: str
    name: str
    value: float | None
    uncertainty: float | None
    unit: str
    length_cm: float | None
    sign_convention: str
    reason: str | None  # why it is not measured
    doubt: str | None  # why no finding rests on it

    @property
    def measured(self) -> bool:
        return self.value is not None

    @property
    def value_text(self) -> str:
        if not self.measured:
            return "not measurable"
        return f"{self.value:+.1f} ± {self.uncertainty:.1f} {self.unit}{length_text(self.length_cm)}"


POINT_ORIGIN_WORDS = {
    PointOrigin.DETECTED: "detected (coloured marker)",
    PointOrigin.BY_HAND: "placed by hand",
    PointOrigin.ESTIMATED: "estimated from the pose model",
}


@dataclass(frozen=True)
class PointGroup:
    """The protocol points of one photo with one origin, by name in words ("left ASIS", "C7")."""

    origin: PointOrigin
    names: tuple[str, ...]


@dataclass(frozen=True)
class PhotoSection:
    result: PhotoResult  # for its image and landmarks
    title: str
    error: str | None  # why it was not analysed
    view_label: str  # 'front', 'side right', ...
    view_source: str  # 'given' or 'detected, confidence 90%'
    level: str  # 'leveled, camera roll +1.2 deg' or 'not leveled'
    retake_advice: str | None  # when nothing in this photo could be decided
    warnings: tuple[str, ...]
    findings: tuple[ShownFinding, ...]  # present findings this photo's measurements decided
    measurements: tuple[MeasurementLine, ...]
    annotation: Annotation | None  # what its annotated image draws
    # Detected, placed by hand, estimated; empty when no point was detected or placed (marker-free).
    points: tuple[PointGroup, ...] = ()
    cant_tell: bool = False  # some finding this photo measured is "can't tell" (listed under Can't tell)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def points_text(self) -> str | None:
        """'Bony points: detected (coloured marker): C7, tragus; placed by hand: ASIS; estimated
        from the pose model: PSIS.', or None on the marker-free path."""
        if not self.points:
            return None
        return "Bony points: " + "; ".join(f"{POINT_ORIGIN_WORDS[g.origin]}: {', '.join(g.names)}"
                                          for g in self.points) + "."


@dataclass(frozen=True)
class Summary:
    """The findings part of a report: what the progress report shows of a stored assessment too."""

    findings: tuple[ShownFinding, ...]  # present findings, most important first
    patterns: tuple[ShownFinding, ...]  # present patterns (e.g. upper-crossed) formed by them
    unsure: tuple[Unsure, ...]  # measured, but not told (too unsure, doubted, or capped), once per measurement
    missing_views: tuple[MissingView, ...]  # no usable photo of the view that shows them
    not_measured: tuple[Unsure, ...]  # by topic: a photo of its view could not measure it, and why
    corrections: tuple[Recommendation, ...]
    safety: Safety
    decided: bool  # some finding was decided, present or absent (else the photos could tell nothing)
    plan: Plan  # the few exercises for the findings that matter most, with the time a day takes
    retake: str | None  # the one retake that would tell the most of what could not be told
    unsure_topics: tuple[str, ...] = ()  # what `unsure` is about, in a few words each ("pelvic tilt")

    @property
    def left_out(self) -> int:
        """Exercises of the plan's findings left out (findings that disagree, or a pain rule)."""
        return sum(len(rec.left_out) for rec in self.corrections[:MAX_FINDINGS])

    @property
    def top(self) -> tuple[ShownFinding, ...]:
        """What matters most: the first findings (linked to the pain, then the most severe)."""
        return self.findings[:MAX_FINDINGS]

    @property
    def not_told(self) -> tuple[str, ...]:
        """What could not be told for want of a photo, one line per missing view, then per topic
        a photo of its view could not measure, with why."""
        return (*(missing.text for missing in self.missing_views),
                *(f"Not measured: {u.label} ({u.note})." for u in self.not_measured))

    @property
    def no_finding(self) -> str:
        """What to say when nothing is present: that nothing is beyond the thresholds only when
        something could be decided."""
        if self.decided and self.unsure_topics:  # "nothing found" alone read as "my posture is fine"
            return (f"No postural finding beyond the thresholds in what these photos could tell; they could not "
                    f"tell {', '.join(self.unsure_topics)} (why: below).")
        if self.decided:
            return "No postural finding beyond the thresholds."
        return "No finding could be made from these photos: see each photo's warnings for how to retake them."


@dataclass(frozen=True)
class ReportView:
    photos: tuple[PhotoSection, ...]
    summary: Summary
    header: ReportHeader

    @property
    def photo_notes(self) -> tuple[str, ...]:
        """Each kind of warning the photos carry, by its first clause ('Could not level the
        photo'), once: the summary says they are there, the details say what to do."""
        return tuple(dict.fromkeys(re.split(r"[.:;]", re.sub(r"\s*\([^)]*\)", "", warning), maxsplit=1)[0].strip()
                                   for section in self.photos for warning in section.warnings))


def report_view(analysis: Analysis, header: ReportHeader | None = None) -> ReportView:
    """The report of an analysis, headed by `header` (today's date and no names when not given)."""
    assessment = analysis.assessment
    summary = summarize(assessment.findings, assessment.recommendations, assessment.safety)
    photos = tuple(_photo(r, assessment.findings, summary) for r in analysis.photos)
    return ReportView(photos, summary, header or ReportHeader(date.today()))


def summarize(findings: Sequence[Finding], corrections: Sequence[Recommendation], safety: Safety) -> Summary:
    """The findings, patterns and what could not be told: one rule for every renderer."""
    by_finding = {c.finding: c for c in corrections}
    found = present(findings)
    order = {c.finding: i for i, c in enumerate(corrections)}  # linked to the pain first, then most severe
    shown = sorted((f for f in found if not f.is_pattern), key=lambda f: order.get(f.id, len(order)))
    cant_tell = [f for f in findings if f.status is Status.CANT_TELL and not f.is_pattern
                 and not (f.evidence[0].value is None and _only_when_found(f.evidence[0].measurement))]
    unmeasured = [f for f in cant_tell if f.evidence[0].value is None]
    unsure = _either_way(f for f in cant_tell if f.evidence[0].value is not None)
    missing = _missing_views(f for f in unmeasured if _view_missing(f))
    return Summary(
        findings=tuple(_shown(f, by_finding.get(f.id)) for f in shown),
        patterns=tuple(_shown(f, None) for f in found if f.is_pattern),
        unsure=unsure,
        missing_views=missing,
        not_measured=_by_topic(f for f in unmeasured if not _view_missing(f)),
        corrections=tuple(corrections),
        safety=safety,
        decided=any(f.status is not Status.CANT_TELL for f in findings),
        plan=short_plan(corrections),
        retake=_one_retake(missing, unsure),
        unsure_topics=tuple(dict.fromkeys(_topic(f) for f in cant_tell if f.evidence[0].value is not None)),
    )


def _either_way(cant_tell: Iterable[Finding]) -> tuple[Unsure, ...]:
    """Each measurement that can't tell either way once, not once per direction: "Left shoulder
    higher than right or right shoulder higher than left: <why>" (the two share the value and the
    reason, and neither direction is past its threshold)."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in cant_tell:  # a direction past its threshold (a capped +30 deg tilt) stands on its own
        either = finding.severity is Severity.NONE
        key = (finding.evidence[0].measurement if either else finding.id, finding.evidence[0].note or "")
        grouped.setdefault(key, []).append(finding)
    return tuple(Unsure(_either_label([f.label for f in same]), note, _retake(same[0]))
                 for (_, note), same in grouped.items())


def _either_label(labels: list[str]) -> str:
    """'Whole body or camera tilted (left side higher or right side higher)' where the labels differ
    only in their brackets; else 'Left shoulder higher than right or right shoulder higher than left'."""
    heads = {label.split(" (", 1)[0] for label in labels}
    if len(labels) > 1 and len(heads) == 1 and all(label.endswith(")") and " (" in label for label in labels):
        return f"{heads.pop()} ({' or '.join(label.split(' (', 1)[1][:-1] for label in labels)})"
    return " or ".join([labels[0], *(label[0].lower() + label[1:] for label in labels[1:])])


def _one_retake(missing: Sequence[MissingView], unsure: Sequence[Unsure]) -> str | None:
    """A missing view tells the most; else the retake advice most of the doubted findings share."""
    if missing:
        return f"Add {missing[0].photo}: it would tell {', '.join(missing[0].topics)}."
    advice = [u.retake for u in unsure if u.retake]
    if not advice:
        return None
    best = max(dict.fromkeys(advice), key=advice.count)
    return best[0].upper() + best[1:] + "."


def _retake(finding: Finding) -> str | None:
    """A doubted finding's retake advice: a doubt (no confidence at all, though measured) says
    why and then, after its last colon, what to do."""
    note = finding.evidence[0].note or ""
    doubted = finding.confidence == 0.0 and finding.severity is Severity.NONE and ": " in note
    return note.rsplit(": ", 1)[1] if doubted else None


@cache
def _topics() -> dict[str, str]:
    return {rule["id"]: rule["topic"] for rule in load("thresholds.json")["findings"]}


def _topic(finding: Finding) -> str:
    return _topics().get(finding.id, finding.label)


def _view_missing(finding: Finding) -> bool:
    """No photo tried to measure it (no usable photo of its view), as opposed to a photo of its
    view that could not (a knee cut off, a photo that is no standing posture photo)."""
    return not finding.evidence[0].photos and finding.evidence[0].measurement in BY_ID


def _missing_views(findings: Iterable[Finding]) -> tuple[MissingView, ...]:
    topics: dict[Views, dict[str, None]] = {}
    for finding in findings:
        topics.setdefault(BY_ID[finding.evidence[0].measurement].views, {})[_topic(finding)] = None
    return tuple(MissingView(views, tuple(topics[views])) for views in Views if views in topics)


def _by_topic(findings: Iterable[Finding]) -> tuple[Unsure, ...]:
    """One line per topic (the left and right knee are not two reasons to retake), with the first
    reason (the classifier's note without its 'not measured: ', which the renderers say once)."""
    notes: dict[str, str] = {}
    for finding in findings:
        notes.setdefault(_topic(finding), (finding.evidence[0].note or "").removeprefix("not measured: "))
    return tuple(Unsure(topic, note) for topic, note in notes.items())


def _only_when_found(measurement_id: str) -> bool:
    return measurement_id in BY_ID and BY_ID[measurement_id].only_when_found


def evidence_text(evidence: Evidence) -> str:
    """'-6.0 ± 1.4 deg (usual: above -2 deg), -1.2 cm': the value, its uncertainty, where the
    finding starts in the value's own unit, then its length when a height was given (the usual
    range after the cm read as a limit in cm)."""
    if evidence.value is None:
        return "not measured"
    usual = "below" if evidence.direction == "above" else "above"
    return (f"{evidence.value:+.1f} ± {evidence.uncertainty:.1f} {evidence.unit} "
            f"(usual: {usual} {evidence.thresholds['mild']:+g} {evidence.unit}){length_text(evidence.length_cm)}")


def _shown(finding: Finding, correction: Recommendation | None) -> ShownFinding:
    evidence = finding.evidence[0]
    return ShownFinding(finding, display_name(evidence.measurement), evidence_text(evidence), correction)


def _photo(result: PhotoResult, findings: Sequence[Finding], summary: Summary) -> PhotoSection:
    title = result.path
    if not result.ok:
        return PhotoSection(result, title, result.error.message, "", "", "", result.error.message, (), (), (), None)
    mine = [f for f in findings if not f.is_pattern and result.path in f.evidence[0].photos]
    decided = [f for f in mine if f.status is not Status.CANT_TELL]
    shown_ids = {f.id for f in mine if f.status is Status.PRESENT}
    return PhotoSection(
        result=result,
        title=title,
        error=None,
        view_label=result.view.words,
        view_source="given" if result.view_given else f"detected, confidence {result.view_confidence:.0%}",
        level=_level_text(result),
        retake_advice=None if decided else RETAKE_ADVICE,
        warnings=tuple(w.message for w in result.warnings),
        findings=tuple(s for s in summary.findings if s.finding.id in shown_ids),
        measurements=tuple(
            MeasurementLine(mid, display_name(mid), m.value, m.uncertainty, m.unit, m.length_cm, m.sign_convention,
                            m.reason, m.doubt)
            for mid, m in result.measurements.items()
        ),
        annotation=_annotation(result, findings, bool(decided)),
        points=_point_groups(result),
        cant_tell=any(f.status is Status.CANT_TELL and f.evidence[0].value is not None for f in mine),
    )


def _point_groups(result: PhotoResult) -> tuple[PointGroup, ...]:
    """The photo's protocol points by origin, when any was detected or placed by hand."""
    if not result.markers:
        return ()
    groups = [PointGroup(origin, tuple(point_name(name, result.view) for name, point in result.points.items()
                                       if point.origin is origin)) for origin in PointOrigin]
    return tuple(group for group in groups if group.names)


def _level_text(result: PhotoResult) -> str:
    """'leveled, camera roll +1.2 ± 0.5 deg' or 'not leveled'."""
    if not result.leveled:
        return "not leveled"
    sd = "" if result.camera_roll_sd_deg is None else f" ± {result.camera_roll_sd_deg:.1f}"
    return f"leveled, camera roll {result.camera_roll_deg:+.1f}{sd} deg"


def _annotation(result: PhotoResult, findings: Sequence[Finding], decided: bool) -> Annotation | None:
    """Present findings in their severity colour; a measured value whose finding is "can't tell"
    in grey (never the green of a normal value), and both in the legend; points that may be
    someone else's circled, and said in the legend. A photo that decided nothing says so, not
    "no findings", and one with grey lines says what grey means ("no findings" alone read as all
    clear beside a forward head it could not tell)."""
    if result.landmarks is None or result.image is None:
        return None
    colours, legend, unsure = _lines(result, findings)
    mixed = [("grey circles: points that may be another person's", CANT_TELL_RGB)] if result.off_outline else []
    if any(marker.origin is PointOrigin.BY_HAND for marker in result.markers.values()):
        mixed.append(("cyan rings: points placed by hand", PLACED_RGB))
    return Annotation(
        view=result.view.value,
        measurements={mid: (m.value, m.unit) for mid, m in result.measurements.items()},
        line_colours=colours,
        legend=[*legend, *unsure, *mixed] or _no_finding_legend(decided, CANT_TELL_RGB in colours.values()),
        visibility_threshold=constant("visibility_threshold"),
        near_side=result.near_side,
        camera_roll_deg=result.camera_roll_deg if result.leveled else 0.0,
        person_mask=result.located.person_mask,
        suspect_points=tuple(lm.key for lm in result.off_outline),
        markers={marker_label(name, result.view): marker.xy_px for name, marker in result.markers.items()},
        placed_by_hand=tuple(marker_label(name, result.view) for name, marker in result.markers.items()
                             if marker.origin is PointOrigin.BY_HAND),
    )


def _no_finding_legend(decided: bool, some_grey: bool) -> list[tuple[str, RGB]]:
    if not decided:
        return [(UNDECIDED_LEGEND, CANT_TELL_RGB)]
    return [(SOME_UNDECIDED_LEGEND, CANT_TELL_RGB)] if some_grey else []  # empty: the drawing says "no findings"


def line_colours(result: PhotoResult, findings: Sequence[Finding]) -> dict[str, RGB]:
    """Each measured line's colour by its finding (the live preview colours its lines by this too)."""
    return _lines(result, findings)[0]


def _lines(result: PhotoResult, findings: Sequence[Finding]
           ) -> tuple[dict[str, RGB], list[tuple[str, RGB]], list[tuple[str, RGB]]]:
    """Line colours, the legend of present findings and the legend of unsure values past a threshold."""
    colours: dict[str, RGB] = {}
    legend: list[tuple[str, RGB]] = []
    unsure: list[tuple[str, RGB]] = []
    measured = {mid for mid, m in result.measurements.items() if m.measured}
    for finding in findings:
        used = [e.measurement for e in finding.evidence if e.measurement in measured]
        if finding.is_pattern or not used:
            continue
        if finding.status is Status.PRESENT and result.path in finding.evidence[0].photos:
            legend.append((f"{finding.label}: {finding.severity}", SEVERITY_RGB[finding.severity]))
            colours.update(dict.fromkeys(used, SEVERITY_RGB[finding.severity]))
        elif finding.status is Status.CANT_TELL:
            # In the legend only a value that is past a threshold but unsure: the doubted ones are
            # in the text, and a legend of every doubt would cover the person.
            if finding.severity is not Severity.NONE:
                unsure.append((f"can't tell: {finding.label}", CANT_TELL_RGB))
            for mid in used:
                colours.setdefault(mid, CANT_TELL_RGB)
    return colours, legend, unsure


def marker_label(name: str, view: View) -> str:
    """A marker's short name on the image: "ASIS L", "C7", "tragus" (a profile shows one side)."""
    side = split_name(name)[1]
    return point_words(name)["short"] + (f" {side[0].upper()}" if side and view.is_frontal else "")


def point_name(name: str, view: View) -> str:
    """A protocol point in words: "left ASIS", "C7", "tragus" (a profile shows one side)."""
    side = split_name(name)[1]
    return f"{side} {point_words(name)['short']}" if side and view.is_frontal else point_words(name)["short"]
