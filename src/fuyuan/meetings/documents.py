"""The minutes as an official document (GB/T 9704, DOMAIN.md §7): the DocumentSpec that
core.documents.render_docx lays out — red title, 第N期, body, decisions, then the 出席 / 请假
/ 列席 blocks."""

from __future__ import annotations

import re

from django.utils import timezone

from fuyuan.core.documents import (
    AttendanceBlock,
    Block,
    DocumentSpec,
    Heading,
    Paragraph,
    format_date,
)

from .actions import next_issue_no
from .models import Attendance, Minutes

# Numbered headings as offices type them: 一、 （一） 1. （1）
_HEADINGS = (
    (re.compile(r"^[一二三四五六七八九十]+、"), 1),
    (re.compile(r"^（[一二三四五六七八九十]+）"), 2),
)
_NUMERALS = "一二三四五六七八九十"
ATTENDANCE_LABELS = (
    (Attendance.ATTEND, "出席"),
    (Attendance.LEAVE, "请假"),
    (Attendance.OBSERVER, "列席"),
)


def chinese_number(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    if n < 20:
        return "十" + _NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return _NUMERALS[tens - 1] + "十" + (_NUMERALS[ones - 1] if ones else "")


def body_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        level = next((lvl for pattern, lvl in _HEADINGS if pattern.match(line)), 0)
        blocks.append(Heading(line, level) if level else Paragraph(line))
    return blocks


def minutes_spec(minutes: Minutes) -> DocumentSpec:
    meeting = minutes.meeting
    mechanism = minutes.mechanism
    blocks: list[Block] = body_blocks(minutes.body)
    decisions = list(minutes.decisions.select_related("lead_unit").prefetch_related("co_units"))
    if decisions:
        top = sum(1 for b in blocks if isinstance(b, Heading) and b.level == 1)
        blocks.append(Heading(f"{chinese_number(top + 1)}、会议议定事项", 1))
        for i, d in enumerate(decisions, start=1):
            co = "、".join(u.name for u in sorted(d.co_units.all(), key=lambda u: u.order_no))
            parts = [f"牵头单位：{d.lead_unit.name}"]
            if co:
                parts.append(f"配合单位：{co}")
            parts.append(f"完成时限：{format_date(d.deadline)}")
            blocks.append(Paragraph(f"（{chinese_number(i)}）{d.text}（{'；'.join(parts)}）"))
    invitations = list(meeting.invitations.select_related("unit", "person"))
    attendance = []
    for code, label in ATTENDANCE_LABELS:
        entries = tuple(
            " ".join(
                x
                for x in (
                    inv.unit.name,
                    inv.attendee_name or (inv.person.name if inv.person else ""),
                )
                if x
            )
            for inv in sorted(invitations, key=lambda i: (i.unit.order_no, i.pk))
            if inv.attendance == code
        )
        if entries:
            attendance.append(AttendanceBlock(label, entries))
    issue_no = minutes.issue_no or next_issue_no(mechanism, minutes.year)
    day = (
        timezone.localtime(minutes.issued_at).date() if minutes.issued_at else timezone.localdate()
    )
    return DocumentSpec(
        issuer=f"{mechanism.name}办公室",
        title=minutes.title,
        blocks=tuple(blocks),
        date=day,
        issue_label=f"第{issue_no}期",
        is_minutes=True,
        signature=f"{mechanism.name}办公室",
        attendance=tuple(attendance),
        printed_by=f"{mechanism.name}办公室",
    )
