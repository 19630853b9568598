"""`fuyuan load_demo_mechanism [--if-empty]`: a year of the mechanism's work on top of the org
demo (`fuyuan load_demo`) and the demo matters (`fuyuan load_demo_matters`).

Everything is written THROUGH THE APPS' ACTIONS, acting as the demo accounts (office = the city
office, leader, liaison = 市人社局, liaison2 = 市住建局, court = 中院 court staff, county = the
西平县 office), so permissions are checked and the audit trail, matter timelines and
notifications are the real ones:

- meetings: this year's plenary (全体会议) held, its minutes issued as 第1期 and its decisions
  turned into matters; a coordination meeting held, its minutes circulated with a comment of
  市人社局; a case-analysis meeting next week; the 西平县 plenary scheduled;
- dual lists: next year's call open, proposals of 中院 and the government units in several
  states (awaiting the lead unit, claimed, objected, returned, accepted);
- liaison: letters between 市人社局 / 市住建局 and 中院 — agreed, awaiting a reply, replied, one
  escalated to the office, one coordinated with a matter opened;
- reporting: an open half-year summary with delivered (accepted, returned) and late units,
  urged; a typical-case collection closed and compiled;
- documents: three reserved numbers, one supervision notice issued, one bulletin in draft;
- special campaigns: one running 专项督促 over running demo matters, one concluded.

Dates are relative to today (timezone.localdate()); meetings in the past have past start
times, steps taken now carry today's time (the actions stamp them). All the people, texts and
cases are invented.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from fuyuan.accounts.models import Post, User
from fuyuan.core import calendar

DAY = datetime.timedelta(days=1)
CITY_CODE = "411700"
COUNTY_CODE = "411721"  # 西平县
REQUIRED_ACCOUNTS = ("office", "leader", "liaison", "liaison2", "court", "county")
# City units the demo names, by short name.
CITY_UNITS = (
    "市人社局",
    "市住建局",
    "市中级人民法院",
    "市财政局",
    "市自然资源规划局",
    "市不动产登记中心",
    "市市场监管局",
    "市医保局",
    "市税务局",
    "市司法局",
    "市审计局",
    "市信访局",
)


class Command(BaseCommand):
    help = (
        "Load demo meetings, dual lists, liaison letters, collections, documents and campaigns "
        "(needs `fuyuan load_demo` and `fuyuan load_demo_matters`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any meeting exists already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fuyuan.matters.models import Matter
        from fuyuan.meetings.models import Meeting
        from fuyuan.org.models import Mechanism

        if Meeting.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Meetings exist already; the mechanism demo was not loaded.")
                return
            raise CommandError(
                "The database holds meetings already: the mechanism demo loads only into a "
                "database without meetings (use --if-empty to skip quietly)."
            )
        found = set(
            User.objects.filter(username__in=REQUIRED_ACCOUNTS, is_active=True).values_list(
                "username", flat=True
            )
        )
        missing = [name for name in REQUIRED_ACCOUNTS if name not in found]
        if missing:
            raise CommandError(
                f"Demo accounts missing: {', '.join(missing)}. Run `fuyuan load_demo` first."
            )
        codes = set(
            Mechanism.objects.filter(jurisdiction__code__in=[CITY_CODE, COUNTY_CODE]).values_list(
                "jurisdiction__code", flat=True
            )
        )
        if codes != {CITY_CODE, COUNTY_CODE}:
            raise CommandError(
                "The joint meetings of the org demo (驻马店市, 西平县) are missing: run "
                "`fuyuan load_demo` first."
            )
        if not Matter.objects.filter(mechanism__jurisdiction__code=CITY_CODE).exists():
            raise CommandError(
                "The demo matters are missing: run `fuyuan load_demo_matters` first."
            )
        today = timezone.localdate()
        calendar.seed_from_package(
            sorted({today.year - 1, today.year, today.year + 1}), provisional=True
        )
        try:
            with transaction.atomic():
                counts = MechanismDemo(today).load()
        except ValidationError as exc:
            raise CommandError(f"The mechanism demo could not be loaded: {exc}") from exc
        self.stdout.write(
            "Mechanism demo loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )


def month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - DAY


class MechanismDemo:
    """Builds the demo in order: meetings, dual lists, liaison, reporting, documents,
    campaigns. Each step calls the owning app's actions as the demo account that would act."""

    def __init__(self, today: datetime.date) -> None:
        from fuyuan.org.models import Mechanism, Unit

        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.users = {u.username: u for u in User.objects.filter(username__in=REQUIRED_ACCOUNTS)}
        self.city = Mechanism.objects.select_related("jurisdiction", "office_unit").get(
            jurisdiction__code=CITY_CODE
        )
        self.county = Mechanism.objects.select_related("jurisdiction", "office_unit").get(
            jurisdiction__code=COUNTY_CODE
        )
        self.units = {
            u.short_name: u
            for u in Unit.objects.current(today)
            .select_related("jurisdiction")
            .filter(jurisdiction=self.city.jurisdiction)
        }
        absent = [name for name in CITY_UNITS if name not in self.units]
        if absent:
            raise CommandError(f"Units of the org demo missing: {', '.join(absent)}.")
        self.counts: Counter[str] = Counter()

    # --- helpers ------------------------------------------------------------------------------
    def u(self, short_name: str) -> Any:
        return self.units[short_name]

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def is_working(self, day: datetime.date) -> bool:
        try:
            return calendar.is_working_day(day)
        except calendar.CalendarMissing:
            return day.weekday() < 5

    def back(self, n: int) -> datetime.date:
        """The working day n working days before today."""
        day, count = self.today, 0
        while count < n:
            day -= DAY
            if self.is_working(day):
                count += 1
        return day

    def ahead(self, n: int) -> datetime.date:
        """The working day n working days after today."""
        day, count = self.today, 0
        while count < n:
            day += DAY
            if self.is_working(day):
                count += 1
        return day

    def past(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """A start time on `day`, never later than two hours before now (so it can be held)."""
        return min(self.at(day, hour, minute), self.now - datetime.timedelta(hours=2))

    def post(self, unit_name: str, title: str) -> Any:
        return Post.objects.filter(unit__name=unit_name, title=title).first()

    def member_units(self, mechanism: Any) -> list[Any]:
        from fuyuan.org.models import Seat, SeatRole, Unit

        seats = Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER).current(self.today)
        return list(
            Unit.objects.filter(pk__in=seats.values("unit_id"))
            .current(self.today)
            .select_related("jurisdiction")
            .order_by("order_no", "pk")
        )

    def seat_holders(self, mechanism: Any) -> dict[int, str]:
        """unit id → name of the person holding its member seat (the attendee)."""
        from fuyuan.org.models import Seat, SeatRole

        names: dict[int, str] = {}
        seats = (
            Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER)
            .current(self.today)
            .select_related("post__holder")
        )
        for seat in seats:
            holder = seat.post.holder if seat.post_id else None
            if holder is not None and seat.unit_id not in names:
                names[seat.unit_id] = holder.name
        return names

    # --- the whole demo -----------------------------------------------------------------------
    def load(self) -> dict[str, int]:
        self.meetings()
        self.dual_lists()
        self.liaison()
        self.reporting()
        self.documents()
        self.campaigns()
        return dict(self.counts)

    # --- meetings -----------------------------------------------------------------------------
    def meetings(self) -> None:
        from fuyuan.meetings import actions
        from fuyuan.meetings.models import Attendance, MeetingKind

        office, city, u = self.users["office"], self.city, self.u
        year = self.today.year

        # This year's plenary, held about two weeks ago; minutes issued (第1期).
        held_on = self.back(10)
        members = self.member_units(city)
        county_offices = [
            unit
            for unit in self._county_office_units()
            if unit.jurisdiction.path.startswith(city.jurisdiction.path)
        ]
        plenary = actions.schedule_meeting(
            office,
            city,
            kind=MeetingKind.PLENARY,
            title=f"{city.name}{year}年全体会议",
            starts_at=self.past(held_on, 9, 0),
            ends_at=self.past(held_on, 11, 30),
            place="市政府三楼第一会议室",
            chair_post=self.post("驻马店市人民政府", "市长"),
            chair_note="召集人主持，常务副召集人、副召集人出席",
            agenda=[
                {"title": f"听取联席会议办公室关于{year}年府院联动工作情况的报告"},
                {"title": "通报“双清单”事项办理情况及典型案例"},
                {"title": "研究涉党政机关执行案件清理化解工作"},
                {"title": "研究问题楼盘涉诉案件化解和劳动争议裁审衔接工作"},
                {"title": f"审议{year + 1}年度府院联动工作要点"},
            ],
            units=[*members, *county_offices],
        )
        actions.hold(office, plenary)
        holders = self.seat_holders(city)
        own = {
            u("市人社局").pk: self.users["liaison"],
            u("市住建局").pk: self.users["liaison2"],
            u("市中级人民法院").pk: self.users["court"],
        }
        on_leave = {"驻马店海关", "驻马店市林业局"}
        for invitation in plenary.invitations.select_related("unit"):
            unit = invitation.unit
            if unit.jurisdiction_id != city.jurisdiction_id:
                attendance = Attendance.OBSERVER
            elif unit.name in on_leave:
                attendance = Attendance.LEAVE
            else:
                attendance = Attendance.ATTEND
            actor = own.get(unit.pk, office)
            actions.sign_in(actor, invitation, attendance, holders.get(unit.pk, ""))
        minutes = actions.create_minutes(office, plenary, body=PLENARY_MINUTES.format(year=year))
        actions.save_minutes(
            office,
            minutes,
            decisions=[
                {
                    "text": "由市中级人民法院牵头，市财政局、市审计局配合，开展涉党政机关执行"
                    "案件集中清理化解，年底前实现存量案件动态清零，新增案件按月通报。",
                    "lead_unit": u("市中级人民法院"),
                    "co_units": [u("市财政局"), u("市审计局")],
                    "deadline": month_end(self.today + 35 * DAY),
                },
                {
                    "text": "由市人社局牵头，会同市中级人民法院建立劳动人事争议“裁审衔接”"
                    "工作机制，统一裁审尺度，联合发布典型案例。",
                    "lead_unit": u("市人社局"),
                    "co_units": [u("市中级人民法院")],
                    "deadline": month_end(self.today + 60 * DAY),
                },
                {
                    "text": "由市住建局牵头，会同市自然资源规划局、市不动产登记中心和市中级"
                    "人民法院，集中化解问题楼盘“办证难”及相关涉诉案件，分批解决群众"
                    "办证诉求。",
                    "lead_unit": u("市住建局"),
                    "co_units": [
                        u("市自然资源规划局"),
                        u("市不动产登记中心"),
                        u("市中级人民法院"),
                    ],
                    "deadline": month_end(self.today + 120 * DAY),
                },
                {
                    "text": "由联席会议办公室（市司法局）牵头，修订府院联动工作考核办法，将"
                    "“双清单”办理和行政机关负责人出庭应诉情况纳入年度法治政府建设考核。",
                    "lead_unit": u("市司法局"),
                    "co_units": [],
                    "deadline": month_end(self.today + 90 * DAY),
                },
            ],
        )
        actions.minutes_transition(office, minutes, "finalise")
        actions.minutes_transition(office, minutes, "issue")
        minutes.refresh_from_db()
        self.counts["decisions"] += minutes.decisions.count()
        self.counts["decision matters"] += minutes.decisions.filter(matter__isnull=False).count()

        # A coordination meeting a few days ago; minutes out for comments, one comment in.
        coordinated_on = self.back(3)
        housing_matter = self._a_matter_led_by(u("市住建局"))
        agenda: list[dict[str, Any]] = [
            {"title": "问题楼盘查封房产解封与办证衔接问题"},
            {"title": "建设工程价款优先受偿权与农民工工资支付衔接问题"},
        ]
        if housing_matter is not None:
            agenda.append({"title": "", "matter": housing_matter, "note": "听取办理进展"})
        coordination = actions.schedule_meeting(
            office,
            city,
            kind=MeetingKind.COORDINATION,
            title="问题楼盘涉诉案件化解工作协调会",
            starts_at=self.past(coordinated_on, 15, 0),
            ends_at=self.past(coordinated_on, 17, 0),
            place="市司法局四楼会议室",
            chair_post=self.post("驻马店市人民政府", "副市长"),
            chair_note="受召集人委托主持",
            agenda=agenda,
            units=[
                u("市住建局"),
                u("市人社局"),
                u("市中级人民法院"),
                u("市自然资源规划局"),
                u("市不动产登记中心"),
                u("市信访局"),
            ],
        )
        actions.hold(office, coordination)
        for invitation in coordination.invitations.select_related("unit"):
            actor = own.get(invitation.unit_id, office)
            actions.sign_in(
                actor, invitation, Attendance.ATTEND, holders.get(invitation.unit_id, "")
            )
        draft = actions.create_minutes(office, coordination, body=COORDINATION_MINUTES)
        actions.save_minutes(
            office,
            draft,
            decisions=[
                {
                    "text": "市住建局会同市不动产登记中心对全市问题楼盘逐一建立台账，"
                    "区分“可解封”“需协调”两类，于一个月内报联席会议办公室。",
                    "lead_unit": u("市住建局"),
                    "co_units": [u("市不动产登记中心")],
                    "deadline": month_end(self.today + 30 * DAY),
                },
                {
                    "text": "市中级人民法院对台账内已查封房产逐案研究，符合条件的依法"
                    "办理解封或“带封过户”，并将办理结果反馈市住建局。",
                    "lead_unit": u("市中级人民法院"),
                    "co_units": [u("市住建局")],
                    "deadline": month_end(self.today + 60 * DAY),
                },
            ],
        )
        actions.minutes_transition(office, draft, "circulate", comment_deadline=self.ahead(3))
        actions.comment(
            self.users["liaison"],
            draft,
            "建议在第一项议定事项中增加“市人社局配合核实涉农民工工资支付情况”的表述，"
            "便于我局同步做好欠薪线索排查。",
        )

        # A case-analysis meeting next week, invitations sent.
        next_week = self.today + (7 - self.today.weekday()) * DAY + DAY  # next Tuesday
        while not self.is_working(next_week):
            next_week += DAY
        actions.schedule_meeting(
            office,
            city,
            kind=MeetingKind.CASE_ANALYSIS,
            title="某机械制造公司破产案件职工债权清偿个案会商会",
            starts_at=self.at(next_week, 15, 0),
            ends_at=self.at(next_week, 17, 30),
            place="市中级人民法院第三会议室",
            chair_note="联席会议办公室主任主持",
            agenda=[
                {"title": "管理人通报破产财产处置及职工债权确认情况"},
                {"title": "研究欠缴社会保险费补缴及职工医保关系接续问题"},
                {"title": "研究税收债权与职工债权清偿顺位衔接问题"},
            ],
            units=[
                u("市中级人民法院"),
                u("市人社局"),
                u("市医保局"),
                u("市税务局"),
                u("市住建局"),
            ],
        )

        # 西平县: its plenary scheduled by the county office.
        county_day = self.ahead(8)
        county_units = self.member_units(self.county)
        actions.schedule_meeting(
            self.users["county"],
            self.county,
            kind=MeetingKind.PLENARY,
            title=f"{self.county.name}{year}年全体会议",
            starts_at=self.at(county_day, 9, 0),
            ends_at=self.at(county_day, 11, 0),
            place="县政府二楼会议室",
            chair_post=self.post("西平县人民政府", "县长"),
            agenda=[
                {"title": f"总结{year}年全县府院联动工作"},
                {"title": "落实市联席会议全体会议议定事项"},
                {"title": "研究涉企执行案件和行政争议实质性化解工作"},
            ],
            units=county_units,
        )
        from fuyuan.meetings.models import Meeting, Minutes

        self.counts["meetings"] = Meeting.objects.count()
        self.counts["minutes"] = Minutes.objects.count()

    def _county_office_units(self) -> list[Any]:
        """The offices (司法局) of the two demo counties with matters: they sit in (列席)."""
        from fuyuan.org.models import Mechanism

        return [
            m.office_unit
            for m in Mechanism.objects.select_related(
                "office_unit", "office_unit__jurisdiction"
            ).filter(jurisdiction__code__in=[COUNTY_CODE, "411722"])
        ]

    def _a_matter_led_by(self, unit: Any) -> Any:
        from fuyuan.matters import workflow as matter_wf
        from fuyuan.matters.models import Matter

        return (
            Matter.objects.filter(
                mechanism=self.city, lead_unit=unit, state__in=matter_wf.OPEN_STATES
            )
            .order_by("deadline", "pk")
            .first()
        )

    # --- dual lists ---------------------------------------------------------------------------
    def dual_lists(self) -> None:
        from fuyuan.duallists import actions
        from fuyuan.duallists.models import ListItem
        from fuyuan.org.models import ListKind, TaskArea

        office, court = self.users["office"], self.users["court"]
        liaison, liaison2 = self.users["liaison"], self.users["liaison2"]
        u, city = self.u, self.city
        year = self.today.year + 1
        kinds = {k.code: k for k in ListKind.objects.filter(mechanism=city, active=True)}
        court_kind = kinds["court_needs_government"]
        gov_kind = kinds["government_needs_court"]
        areas = {a.code: a for a in TaskArea.objects.filter(mechanism=city)}
        call = actions.open_call(
            office,
            city,
            year=year,
            proposal_deadline=self.ahead(10),
            note=f"请各成员单位结合工作实际，提出{year}年度“法院需政府支持事项”和“政府需法院"
            "支持事项”，每项须明确牵头单位、配合单位、完成时限和可量化目标。",
        )

        def propose(actor: Any, unit: str, kind: Any, lead: str, **values: Any) -> Any:
            values.setdefault("deadline", datetime.date(year, 12, 31))
            values["co_units"] = [u(name) for name in values.get("co_units", [])]
            values["task_area"] = areas.get(values.get("task_area") or "")
            return actions.propose(
                actor, call, proposing_unit=u(unit), list_kind=kind, lead_unit=u(lead), **values
            )

        # 法院需政府支持: 中院 proposes, government departments lead.
        social = propose(
            court,
            "市中级人民法院",
            court_kind,
            "市人社局",
            title="协助查询被执行人社会保险缴纳及就业登记信息",
            content="执行案件中需及时掌握被执行人的参保缴费、就业登记和领取待遇情况，"
            "请市人社局开通线上查询通道，为法院查人找物提供支持。",
            measurable_target="查询通道上线运行；查询申请3个工作日内反馈，反馈率100%",
            co_units=["市医保局"],
            deadline=datetime.date(year, 6, 30),
            task_area="enforcement_linkage",
        )
        actions.claim(liaison, social)
        actions.accept(office, social)
        staff = propose(
            court,
            "市中级人民法院",
            court_kind,
            "市人社局",
            title="破产企业职工安置和欠薪保障衔接",
            content="企业破产案件中，职工债权确认、欠薪垫付、社保关系转移接续等问题"
            "需人社部门全程参与，请建立破产案件职工安置联动工作机制。",
            measurable_target="全年破产案件职工安置方案100%经人社部门会商；欠薪垫付申请"
            "20个工作日内办结",
            co_units=["市医保局", "市税务局"],
            task_area="bankruptcy",
        )
        actions.claim(liaison, staff)
        housing = propose(
            court,
            "市中级人民法院",
            court_kind,
            "市住建局",
            title="问题楼盘破产重整中网签备案和不动产首次登记协助",
            content="房地产企业破产重整案件中，续建完成后的网签备案撤销、重新备案和"
            "不动产首次登记需行政机关协助办理，请明确办理流程和时限。",
            measurable_target="制定协助办理流程；符合条件的申请15个工作日内办结",
            co_units=["市不动产登记中心", "市自然资源规划局"],
            task_area="bankruptcy",
        )
        actions.object_to(
            liaison2,
            housing,
            "不动产首次登记属市不动产登记中心法定职责，建议由市不动产登记中心牵头，"
            "我局负责网签备案部分并积极配合。",
        )
        propose(
            court,
            "市中级人民法院",
            court_kind,
            "市财政局",
            title="涉党政机关执行案件动态清零",
            content="部分党政机关作为被执行人的案件因预算安排等原因长期未结，请财政部门"
            "会同有关单位统筹资金，推动案件按期履行。",
            measurable_target="存量案件年底前全部清零；新增案件3个月内履行完毕",
            co_units=["市审计局"],
            task_area="enforcement_linkage",
        )

        # 政府需法院支持: government departments propose, the court leads.
        labour = propose(
            liaison,
            "市人社局",
            gov_kind,
            "市中级人民法院",
            title="劳动人事争议裁审衔接和实质性化解",
            content="请法院与劳动人事争议仲裁委员会定期会商，统一裁审尺度，联合开展疑难"
            "案件研讨，共同推动劳动争议实质性化解。",
            measurable_target="每季度召开一次裁审衔接联席会；联合发布典型案例不少于5件",
            task_area="rule_of_law_government",
        )
        actions.claim(court, labour)
        propose(
            liaison2,
            "市住建局",
            gov_kind,
            "市中级人民法院",
            title="行政机关负责人出庭应诉庭审观摩",
            content="请法院选取住房城乡建设领域典型行政案件，组织行政机关负责人和执法"
            "人员旁听庭审，以案释法，提高依法行政能力。",
            measurable_target="全年组织庭审观摩不少于2次，参加人员不少于80人次",
            co_units=["市司法局"],
            task_area="rule_of_law_government",
        )
        disputes = propose(
            liaison2,
            "市住建局",
            gov_kind,
            "市中级人民法院",
            title="行政争议实质性化解",
            content="请法院对涉住房城乡建设领域行政案件加强诉前协调。",
            measurable_target="提高化解率",
            task_area="rule_of_law_government",
        )
        actions.return_item(
            office,
            disputes,
            "请细化事项内容（如诉前调解、行政争议化解中心衔接等具体方式），"
            "并将可量化目标明确到具体比例或件数后重新提交。",
        )
        advice = propose(
            office,
            "市自然资源规划局",
            gov_kind,
            "市中级人民法院",
            title="行政诉讼败诉案件司法建议及反馈",
            content="请法院针对自然资源领域行政诉讼败诉案件中暴露的执法问题及时发送司法"
            "建议，市自然资源规划局在规定期限内整改并书面反馈。",
            measurable_target="败诉案件司法建议发送率100%，整改反馈率100%",
            task_area="enforcement_supervision",
        )
        actions.claim(court, advice)
        actions.accept(office, advice)
        propose(
            office,
            "市市场监管局",
            gov_kind,
            "市中级人民法院",
            title="涉企行政执法与司法裁判标准衔接",
            content="请法院就市场监管领域涉企行政处罚案件的证据标准、裁量基准与执法部门"
            "开展交流，减少因程序瑕疵被撤销的案件。",
            measurable_target="全年开展专题交流不少于2次；涉企行政处罚案件被撤销率同比下降",
            task_area="business_environment",
        )
        self.counts["dual-list calls"] += 1
        self.counts["dual-list items"] += ListItem.objects.filter(call=call).count()

    # --- liaison ------------------------------------------------------------------------------
    def liaison(self) -> None:
        from fuyuan.liaison import actions
        from fuyuan.liaison.models import LiaisonLetter

        office, court = self.users["office"], self.users["court"]
        liaison, liaison2 = self.users["liaison"], self.users["liaison2"]
        hrss, housing, the_court = self.u("市人社局"), self.u("市住建局"), self.u("市中级人民法院")

        # Given explicitly: the default needs the holiday calendar of the year it ends in.
        reply_by = self.ahead(actions.reply_days(self.city))

        def letter(actor: Any, sender: Any, recipient: Any, subject: str, body: str) -> Any:
            return actions.create_letter(
                actor,
                sender_unit=sender,
                recipient_unit=recipient,
                subject=subject,
                body=body,
                reply_by=reply_by,
                send=True,
            )

        # Replied and agreed.
        agreed = letter(
            liaison,
            hrss,
            the_court,
            "关于协助提供农民工工资案件执行进展情况的函",
            "为做好年底前根治欠薪工作，请贵院协助提供本年度涉农民工工资执行案件的"
            "立案、执结和执行到位情况，以便我局统筹开展欠薪线索核查。",
        )
        actions.reply(
            court,
            agreed,
            "经统计，本年度我院及基层法院共受理涉农民工工资执行案件一百二十余件，已执结"
            "九成以上，明细表已通过内网报送。对尚未执结的案件，我院将开辟绿色通道优先执行。",
        )
        actions.agree(liaison, agreed, "收悉，感谢支持。")

        # Sent, awaiting the court's reply.
        letter(
            liaison2,
            housing,
            the_court,
            "关于商品房预售资金监管账户冻结扣划有关问题的函",
            "近期部分在建项目预售资金监管账户被冻结，影响工程款和农民工工资支付。"
            "请贵院在办理相关案件时，对监管账户内用于项目建设的必要资金审慎采取扣划措施。",
        )

        # The court writes to 市人社局, which has replied (the court has yet to decide).
        asked = letter(
            court,
            the_court,
            hrss,
            "关于协助送达劳动争议案件法律文书的函",
            "部分劳动争议案件当事人下落不明，请贵局协助提供相关当事人在社保登记中"
            "预留的联系电话和联系地址，便于依法送达法律文书。",
        )
        actions.reply(
            liaison,
            asked,
            "我局已按来函所附名单完成比对，共查询到十六名当事人的登记信息，已通过"
            "机要渠道反馈。涉及个人信息部分请严格按规定范围使用。",
        )

        # No consensus: escalated to the office.
        escalated = letter(
            liaison2,
            housing,
            the_court,
            "关于问题楼盘已售房屋解除查封办理不动产登记的函",
            "某小区项目因开发企业涉诉，已售的二百余套房屋被整体查封，购房群众无法办理"
            "不动产权证，信访压力较大。请贵院对已付清房款并实际入住的房屋解除查封。",
        )
        actions.reply(
            court,
            escalated,
            "相关房屋系依申请执行人申请依法查封，整体解封将损害申请执行人合法权益。"
            "我院可在开发企业提供等值担保或申请执行人同意的前提下分批解封。",
        )
        actions.no_consensus(
            liaison2,
            escalated,
            "开发企业已无力提供担保，申请执行人亦不同意解封，双方意见分歧较大，"
            "提请联席会议办公室协调。",
        )

        # No consensus, coordinated by the office, which opened a matter.
        coordinated = letter(
            court,
            the_court,
            housing,
            "关于协助核查拖欠工程款案件被执行施工企业资质及在建项目情况的函",
            "在执行一批拖欠工程款案件中，需核查被执行施工企业的资质等级、在建项目及应收"
            "工程款情况，请贵局协助提供并配合采取限制措施。",
        )
        actions.reply(
            liaison2,
            coordinated,
            "资质信息可以提供；在建项目应收工程款涉及建设单位，我局无权直接采取限制措施。",
        )
        actions.no_consensus(
            court,
            coordinated,
            "对在建项目应收工程款的协助冻结，住建局认为不属其职责，请办公室协调明确。",
        )
        actions.coordinate(
            office,
            coordinated,
            "经协调，市住建局负责提供被执行企业资质及在建项目清单，并督促建设单位配合"
            "法院办理应收工程款冻结；市中级人民法院依法出具协助执行通知书。",
            open_matter=True,
            lead_unit=housing,
            deadline=month_end(self.today + 30 * DAY),
            matter_title="协助核查被执行施工企业在建项目并督促建设单位配合冻结工程款",
        )
        self.counts["liaison letters"] += LiaisonLetter.objects.count()

    # --- reporting ----------------------------------------------------------------------------
    def reporting(self) -> None:
        from fuyuan.reporting import actions
        from fuyuan.reporting.models import CollectionKind, Submission

        office, court = self.users["office"], self.users["court"]
        liaison, liaison2 = self.users["liaison"], self.users["liaison2"]
        u, city = self.u, self.city
        year = self.today.year
        half = f"{year}年上半年" if self.today.month >= 7 else f"{year - 1}年下半年"

        def deliver(actor: Any, collection: Any, unit: str, text: str) -> Any:
            target = collection.targets.get(unit=u(unit))
            submission = actions.save_submission(actor, target, text=text)
            return actions.deliver(actor, submission)

        # The half-year summary: open, its deadline passed; some in, the others late (urged).
        summary = actions.create_collection(
            office,
            city,
            kind=CollectionKind.HALF_YEAR_SUMMARY,
            title=f"{half}府院联动工作总结",
            deadline=self.back(4),
            instructions="请各成员单位围绕“双清单”事项办理、联席会议议定事项落实、存在问题"
            "和下一步打算报送工作总结，字数控制在3000字以内。",
            jurisdictions=[],
        )
        summary = actions.transition_collection(office, summary, "open")
        accepted = deliver(liaison, summary, "市人社局", HRSS_SUMMARY.format(half=half))
        actions.accept(office, accepted)
        accepted = deliver(court, summary, "市中级人民法院", COURT_SUMMARY.format(half=half))
        actions.accept(office, accepted)
        returned = deliver(liaison2, summary, "市住建局", f"{half}，我局认真落实府院联动工作部署。")
        actions.return_submission(
            office,
            returned,
            "内容过于简略，请按通知要求补充“双清单”事项办理进展、问题楼盘化解情况和"
            "下一步打算后重新报送。",
        )
        actions.urge(office, summary)

        # Typical cases: closed and compiled.
        cases = actions.create_collection(
            office,
            city,
            kind=CollectionKind.TYPICAL_CASE,
            title=f"{year}年度府院联动典型案例",
            deadline=self.back(20),
            instructions="每单位报送1—2件府院联动典型案例，包括基本案情、联动做法和取得成效。",
            units=[u("市人社局"), u("市住建局"), u("市中级人民法院")],
            jurisdictions=[],
        )
        cases = actions.transition_collection(office, cases, "open")
        for actor, unit, text in (
            (liaison, "市人社局", CASE_HRSS),
            (liaison2, "市住建局", CASE_HOUSING),
            (court, "市中级人民法院", CASE_COURT),
        ):
            actions.accept(office, deliver(actor, cases, unit, text))
        cases = actions.transition_collection(office, cases, "close")
        cases = actions.compile_collection(office, cases)
        self.counts["collections"] += 2
        self.counts["submissions"] += Submission.objects.filter(
            collection__in=[summary, cases]
        ).count()

    # --- documents ----------------------------------------------------------------------------
    def documents(self) -> None:
        from fuyuan.documents import actions
        from fuyuan.documents.models import DocumentKind, DocumentNumber

        office, city, year = self.users["office"], self.city, self.today.year
        taken = DocumentNumber.objects.filter(issuer_code="驻府院办", year=year).values_list(
            "sequence", flat=True
        )
        first = max(taken, default=0) + 1
        numbers = [
            actions.reserve_number(office, city, f"驻府院办〔{year}〕{first + i}号", note)
            for i, note in enumerate(
                ("涉党政机关执行案件督办通知", "问题楼盘化解工作督办", "年度工作通报")
            )
        ]
        notice = actions.create_document(
            office,
            city,
            {
                "kind": DocumentKind.SUPERVISION_NOTICE,
                "title": "关于加快推进涉党政机关执行案件清理化解工作的督办通知",
                "recipients": "市中级人民法院，市财政局，市审计局",
                "copy_to": "联席会议召集人、常务副召集人、副召集人",
                "body": SUPERVISION_NOTICE.format(year=year),
            },
        )
        actions.issue(office, notice, number=numbers[0])
        actions.create_document(
            office,
            city,
            {
                "kind": DocumentKind.BULLETIN,
                "title": f"府院联动工作简报（{year}年第6期）",
                "recipients": "联席会议各成员单位，各县区府院联动联席会议办公室",
                "body": BULLETIN.format(year=year),
            },
        )
        self.counts["document numbers"] += len(numbers)
        self.counts["documents"] += 2

    # --- special campaigns --------------------------------------------------------------------
    def campaigns(self) -> None:
        from fuyuan.matters import campaigns
        from fuyuan.matters import workflow as matter_wf
        from fuyuan.matters.models import CampaignKind, FeedbackCadence

        office, city = self.users["office"], self.city
        running = campaigns.create_campaign(
            office,
            mechanism=city,
            kind=CampaignKind.SPECIAL_SUPERVISION,
            title="涉民生领域府院联动事项专项督促",
            start_date=self.today - 14 * DAY,
            end_date=month_end(self.today + 45 * DAY),
            description="对涉农民工工资、问题楼盘、社会保障等民生领域的府院联动事项开展"
            "专项督促，按月调度进展，年底前集中通报。",
            feedback_cadence=FeedbackCadence.MONTHLY,
            feedback_day=25,
        )
        picks = list(
            campaigns.candidate_matters(office, running)
            .filter(jurisdiction=city.jurisdiction, state=matter_wf.IN_PROGRESS)
            .order_by("deadline", "pk")[:7]
        )
        campaigns.add_matters(office, running, picks)
        campaigns.start_campaign(office, running, apply_cadence=True)

        concluded = campaigns.create_campaign(
            office,
            mechanism=city,
            kind=CampaignKind.SPECIAL_RECTIFICATION,
            title="涉企执行案件专项整治",
            start_date=self.today - 150 * DAY,
            end_date=self.today - 45 * DAY,
            description="集中整治涉企执行案件中的超标的查封、怠于履行协助义务等问题，"
            "优化法治化营商环境。",
        )
        done = list(
            campaigns.candidate_matters(office, concluded)
            .filter(jurisdiction=city.jurisdiction, state__in=matter_wf.DONE_STATES)
            .order_by("deadline", "pk")[:5]
        )
        campaigns.add_matters(office, concluded, done)
        campaigns.start_campaign(office, concluded)
        campaigns.conclude_campaign(
            office,
            concluded,
            "纳入专项整治的事项已全部办结，涉企执行案件协助查询平均用时明显缩短，"
            "超标的查封问题得到有效纠正。建议将协助执行快速通道固化为常态机制。",
        )
        self.counts["campaigns"] += 2
        self.counts["campaign matters"] += len(picks) + len(done)


# --- texts ----------------------------------------------------------------------------------------
PLENARY_MINUTES = """一、会议基本情况

会议由联席会议召集人主持，听取了联席会议办公室关于{year}年府院联动工作情况的报告，通报了“双清单”事项办理情况，研究了当前府院联动工作中的重点难点问题。

二、会议认为

今年以来，各成员单位认真落实常态化府院联动工作机制，在化解企业破产难题、完善执行联动、推进行政争议实质性化解等方面取得了明显成效。同时，涉党政机关执行案件清理、问题楼盘化解等工作仍需进一步加力。

三、会议议定事项

会议议定的事项附后，由各牵头单位会同配合单位抓好落实，联席会议办公室跟踪督办，办理情况按月报送联席会议办公室。

四、有关要求

各成员单位要进一步压实责任，明确分管领导和联络员，确保议定事项按期办结。
"""

COORDINATION_MINUTES = """一、会议基本情况

会议由副市长受召集人委托主持，市住建局、市中级人民法院、市人社局、市自然资源规划局、市不动产登记中心、市信访局有关负责同志参加。

二、会议研究的问题

会议听取了市住建局关于问题楼盘涉诉案件情况的汇报和市中级人民法院关于相关查封房产处置情况的说明，就已售房屋解封办证、建设工程价款与农民工工资支付衔接等问题进行了研究。

三、会议议定事项

议定事项附后，征求各单位意见后定稿印发。
"""

HRSS_SUMMARY = """{half}，市人社局认真落实联席会议部署，牵头办理“双清单”事项3项，均按时限推进。

一、裁审衔接：与市中级人民法院召开裁审衔接联席会2次，统一了加班费、竞业限制等5类争议的裁审尺度。

二、根治欠薪：配合法院对涉农民工工资执行案件开辟绿色通道，协助查询被执行人社保信息260余人次。

三、下一步打算：推动联合发布劳动争议典型案例，完善破产企业职工安置联动机制。
"""

COURT_SUMMARY = """{half}，市中级人民法院坚持把府院联动作为推进执行工作和优化营商环境的重要抓手。

一、执行联动：与市人社局、市医保局建立线上查询通道，执行查控效率明显提升。

二、破产审判：会同有关部门处置“僵尸企业”破产案件12件，妥善安置职工600余人。

三、行政争议化解：发送司法建议9份，均得到书面反馈；组织庭审观摩2次。
"""

CASE_HRSS = """某建筑劳务公司拖欠农民工工资案

某建筑劳务公司拖欠58名农民工工资共计120余万元。市人社局在监察执法中发现该公司被法院列为被执行人后，第一时间通过府院联动机制与法院会商，法院对该公司应收工程款依法冻结，人社部门督促总承包单位先行垫付。春节前，58名农民工工资全部足额发放。
"""

CASE_HOUSING = """某小区“办证难”问题化解案

某小区因开发企业欠缴土地出让金和涉诉查封，已售房屋长期无法办理不动产权证。市住建局牵头，会同法院、自然资源规划和不动产登记部门逐户梳理，对已付清房款的房屋分批解封，“带封过户”办理登记，三个月内为312户群众办理了不动产权证。
"""

CASE_COURT = """某机械制造公司破产重整案

某机械制造公司资不抵债，职工工资和社保费长期拖欠。法院在受理破产重整申请后，通过府院联动机制协调人社、医保、税务部门同步处置职工安置、社保接续和税收债权问题，引进战略投资人后企业恢复生产，保留就业岗位400余个，职工债权获得全额清偿。
"""

SUPERVISION_NOTICE = """\
按照联席会议{year}年全体会议议定事项，现就加快推进涉党政机关执行案件清理化解工作督办如下：

一、督办事项

由市中级人民法院牵头，市财政局、市审计局配合，对全市涉党政机关执行案件逐案建立台账，明确化解责任单位和化解时限。

二、工作要求

（一）各责任单位要制定化解方案，落实履行资金，年底前实现存量案件动态清零。

（二）市财政局要将依法应当履行的生效裁判所涉资金纳入预算统筹安排。

（三）请于每月25日前将办理进展报送联席会议办公室，逾期未反馈的将按规定予以通报。
"""

BULLETIN = """一、联席会议召开{year}年全体会议

近日，联席会议召开{year}年全体会议，听取了年度府院联动工作情况报告，研究部署涉党政机关执行案件清理化解、问题楼盘化解等重点工作。

二、召开问题楼盘涉诉案件化解工作协调会

联席会议办公室组织市住建局、市中级人民法院等单位召开协调会，就已售房屋解封办证等问题达成初步共识。

三、“双清单”事项征集工作启动

联席会议办公室已启动下一年度“双清单”事项征集工作，请各成员单位按时报送。
"""
