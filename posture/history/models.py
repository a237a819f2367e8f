"""The tables. Measurements get their own rows so trends are queries, not JSON parsing; the full
report (posture.report/1) is kept beside them so nothing the analysis said is lost."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Profile(Base):
    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)  # for lengths in cm, entered once
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    store_photos: Mapped[bool] = mapped_column(Boolean, default=False)  # opt-in: photos are sensitive
    created_at: Mapped[datetime] = mapped_column(DateTime)

    assessments: Mapped[list[AssessmentRow]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", passive_deletes=True
    )
    pain_entries: Mapped[list[PainEntry]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    exercise_sessions: Mapped[list[ExerciseSession]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_profile_taken", "profile_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    taken_at: Mapped[date] = mapped_column(Date)
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(20))  # "photos" or "live"
    report_json: Mapped[str] = mapped_column(Text)
    findings_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # labels of the present findings

    profile: Mapped[Profile] = relationship(back_populates="assessments")
    measurements: Mapped[list[MeasurementRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    thumbnails: Mapped[list[ViewThumbnail]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    photos: Mapped[list[PhotoRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class MeasurementRow(Base):
    """One measurement of one assessment, combined over its photos (as the findings use it)."""

    __tablename__ = "measurements"
    __table_args__ = (
        UniqueConstraint("assessment_id", "measurement"),
        Index("ix_measurements_name_assessment", "measurement", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    measurement: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Float)
    uncertainty: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))


class ViewThumbnail(Base):
    """A small annotated image of one view of an assessment (its first photo of that view), kept
    for every profile so the Progress page can compare each view over time."""

    __tablename__ = "view_thumbnails"
    __table_args__ = (UniqueConstraint("assessment_id", "view"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(20))  # posture.assessment.views.View: front, side_left, ...
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)


class PhotoRow(Base):
    """The original photo, only for profiles that opted in."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PainEntry(Base):
    __tablename__ = "pain_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    logged_on: Mapped[date] = mapped_column(Date)
    regions: Mapped[str] = mapped_column(String(200))  # comma-separated pain regions
    intensity_0_10: Mapped[int] = mapped_column(Integer)


class ExerciseSession(Base):
    __tablename__ = "exercise_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    done_on: Mapped[date] = mapped_column(Date)
    exercise_id: Mapped[str] = mapped_column(String(80))
