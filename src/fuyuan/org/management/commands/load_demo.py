"""`fuyuan load_demo [--if-empty]`: load the demo data set (fuyuan.org.demo) into an empty
database in one transaction, with one audit entry for the batch, and print the demo accounts.

Seed data is written in bulk straight through the models (the architecture allows this for bulk
paths); the single audit entry records what was loaded.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from fuyuan.accounts.models import Person, Post, PostKind, Role, RoleAssignment, User
from fuyuan.audit.record import record
from fuyuan.org import demo
from fuyuan.org.models import (
    SEAT_ROLE_ORDER,
    Jurisdiction,
    JurisdictionLevel,
    ListKind,
    Mechanism,
    MembershipChange,
    MembershipChangeKind,
    Seat,
    SeatRole,
    TaskArea,
    Unit,
    UnitKind,
)
from fuyuan.org.settings_schema import DEFAULT_LIST_KINDS, DEFAULT_TASK_AREAS


class Command(BaseCommand):
    help = "Load the 驻马店 demo data set (jurisdictions, units, mechanisms, accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any jurisdiction exists already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Jurisdiction.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Jurisdictions exist already; demo data not loaded.")
                self.print_accounts(self.existing_accounts())
                return
            raise CommandError(
                "The database holds jurisdictions already: the demo data loads only into an "
                "empty database (use --if-empty to skip quietly)."
            )
        taken = list(
            User.objects.filter(username__in=[a[0] for a in demo.DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise CommandError(f"Demo usernames already taken: {', '.join(sorted(taken))}")
        validate_password(demo.PASSWORD)
        with transaction.atomic():
            loader = DemoLoader()
            counts = loader.load()
            record(None, "org.demo.load", object_kind="org.demo", detail=counts)
        self.stdout.write("Demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.print_accounts(loader.accounts)

    def existing_accounts(self) -> list[tuple[str, str, str, str, str]]:
        """The demo accounts still in the database, for the reminder `make run` prints."""
        names = [a[0] for a in demo.DEMO_ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
        rows = []
        for name in names:
            user = users.get(name)
            if user is None or not user.check_password(demo.PASSWORD):
                continue
            assignment = next(iter(user.active_assignments()), None)
            role = str(Role(assignment.role).label) if assignment else "—"
            place = (assignment.unit or assignment.jurisdiction) if assignment else None
            where = str(place or "全系统")
            rows.append((name, demo.PASSWORD, role, user.display_name, where))
        return rows

    def print_accounts(self, rows: list[tuple[str, str, str, str, str]]) -> None:
        if not rows:
            return
        header = ("username", "password", "role", "name", "where")
        table = [header, *rows]
        widths = [max(_width(r[i]) for r in table) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write("Demo accounts (change the passwords before any real use):")
        for i, row in enumerate(table):
            self.stdout.write(
                "  ".join(
                    cell + " " * (widths[j] - _width(cell)) for j, cell in enumerate(row)
                ).rstrip()
            )
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class DemoLoader:
    """Builds unsaved instances, then writes each model with one bulk_create."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.names = demo.NameMaker()
        self.jurisdictions: dict[str, Jurisdiction] = {}
        self.units: list[Unit] = []
        self.unit_by_name: dict[str, Unit] = {}
        self.successions: list[tuple[Unit, Unit]] = []
        self.persons: list[Person] = []
        self.posts: list[Post] = []
        self.post_by_key: dict[tuple[str, str], Post] = {}
        self.mechanisms: list[Mechanism] = []
        self.seats: list[Seat] = []
        self.task_areas: list[TaskArea] = []
        self.list_kinds: list[ListKind] = []
        self.accounts: list[tuple[str, str, str, str, str]] = []

    # --- building blocks ------------------------------------------------------------------------
    def stamp(self, obj: Any) -> Any:
        obj.created_at = obj.updated_at = self.now
        return obj

    def jurisdiction(
        self,
        name: str,
        short_name: str,
        code: str,
        level: str,
        parent: Jurisdiction | None,
        order: int,
        *,
        stat_code: str = "",
        runs_own_mechanism: bool = True,
    ) -> Jurisdiction:
        j = Jurisdiction(
            name=name,
            short_name=short_name,
            code=code,
            stat_code=stat_code,
            level=level,
            parent=parent,
            order=order,
            runs_own_mechanism=runs_own_mechanism,
            path=f"demo-{name}",
        )
        j.save()
        j.path = Jurisdiction.build_path(parent, j.pk)
        j.save(update_fields=["path"])
        self.jurisdictions[code or name] = j
        return j

    def unit(
        self,
        jurisdiction: Jurisdiction,
        name: str,
        short_name: str,
        kind: str,
        order_no: int,
        *,
        with_credit_code: bool = True,
        **extra: Any,
    ) -> Unit:
        code = ""
        if with_credit_code and jurisdiction.code:
            code = demo.credit_code(jurisdiction.code, name)
        unit = self.stamp(
            Unit(
                name=name,
                short_name=short_name,
                kind=kind,
                jurisdiction=jurisdiction,
                order_no=order_no,
                credit_code=code,
                **extra,
            )
        )
        self.units.append(unit)
        self.unit_by_name[name] = unit
        return unit

    def person(self, female_share: float = 0.3) -> Person:
        name, gender = self.names.name(female_share)
        person = self.stamp(
            Person(
                name=name,
                gender=gender,
                phone=self.names.mobile(),
                office_phone=self.names.office_phone(),
            )
        )
        self.persons.append(person)
        return person

    def post(
        self,
        unit: Unit,
        title: str,
        kind: str,
        *,
        held: bool = True,
        female_share: float = 0.3,
    ) -> Post:
        order = {
            PostKind.HEAD: 1,
            PostKind.EXECUTIVE_DEPUTY: 2,
            PostKind.DEPUTY: 3,
            PostKind.LIAISON: 8,
            PostKind.STAFF: 9,
        }[PostKind(kind)]
        post = self.stamp(
            Post(
                unit=unit,
                title=title,
                kind=kind,
                order=order,
                holder=self.person(female_share) if held else None,
            )
        )
        self.posts.append(post)
        self.post_by_key[(unit.name, title)] = post
        return post

    def liaison(self, unit: Unit) -> Post:
        return self.post(unit, demo.LIAISON_TITLE, PostKind.LIAISON, female_share=0.5)

    def member(self, unit: Unit, head_title: str) -> tuple[Post, Post]:
        """A member unit's head post and liaison post."""
        return self.post(unit, head_title, PostKind.HEAD), self.liaison(unit)

    def mechanism(
        self,
        jurisdiction: Jurisdiction,
        name: str,
        office_unit: Unit,
        established_on: datetime.date,
        document_no: str,
        document_title: str,
    ) -> Mechanism:
        m = self.stamp(
            Mechanism(
                jurisdiction=jurisdiction,
                name=name,
                office_unit=office_unit,
                established_on=established_on,
                founding_document_no=document_no,
                founding_document_title=document_title,
            )
        )
        self.mechanisms.append(m)
        for order, (code, area_name) in enumerate(DEFAULT_TASK_AREAS, start=1):
            self.task_areas.append(
                self.stamp(TaskArea(mechanism=m, code=code, name=area_name, order=order))
            )
        for order, (code, kind_name, requester, provider) in enumerate(DEFAULT_LIST_KINDS, start=1):
            self.list_kinds.append(
                self.stamp(
                    ListKind(
                        mechanism=m,
                        code=code,
                        name=kind_name,
                        requester_side=requester,
                        provider_side=provider,
                        order=order,
                    )
                )
            )
        return m

    def seat(
        self,
        mechanism: Mechanism,
        role: str,
        post: Post,
        liaison_post: Post | None,
        joined_on: datetime.date | None,
    ) -> Seat:
        seat = self.stamp(
            Seat(
                mechanism=mechanism,
                role=role,
                unit=post.unit,
                post=post,
                liaison_post=liaison_post,
                order=SEAT_ROLE_ORDER[SeatRole(role)],
                joined_on=joined_on,
            )
        )
        self.seats.append(seat)
        return seat

    # --- the data set ---------------------------------------------------------------------------
    def load(self) -> dict[str, int]:
        province = self.jurisdiction(
            *demo.PROVINCE, JurisdictionLevel.PROVINCE, None, 0, runs_own_mechanism=False
        )
        city = self.jurisdiction(*demo.CITY, JurisdictionLevel.CITY, province, 1)
        counties = [
            self.jurisdiction(name, short, code, level, city, i)
            for i, (name, short, code, level, _, _) in enumerate(demo.COUNTY_LEVEL, start=1)
        ]
        for i, (name, short, stat_code, committee) in enumerate(
            demo.ZONES, start=len(counties) + 1
        ):
            zone = self.jurisdiction(
                name,
                short,
                "",
                JurisdictionLevel.ZONE,
                city,
                i,
                stat_code=stat_code,
                runs_own_mechanism=False,
            )
            committee_unit = self.unit(
                zone,
                committee,
                f"{short}管委会",
                UnitKind.ZONE_COMMITTEE,
                0,
                with_credit_code=False,
            )
            self.post(committee_unit, "主任", PostKind.HEAD)

        self.build_city(city)
        for county, row in zip(counties, demo.COUNTY_LEVEL, strict=True):
            self.build_county(county, seats=row[4], established_on=row[5])

        self.save_all()
        self.build_accounts_and_history()
        return {
            "jurisdictions": Jurisdiction.objects.count(),
            "units": len(self.units),
            "persons": len(self.persons),
            "posts": len(self.posts),
            "mechanisms": len(self.mechanisms),
            "seats": len(self.seats),
            "task_areas": len(self.task_areas),
            "list_kinds": len(self.list_kinds),
            "users": len(self.accounts),
            "role_assignments": self.role_assignment_count,
            "membership_changes": self.membership_change_count,
        }

    def build_city(self, city: Jurisdiction) -> None:
        gov_name, gov_short = demo.CITY_GOVERNMENT
        self.unit(city, gov_name, gov_short, UnitKind.GOVERNMENT, 0)
        reorganised = {row[0]: row for row in demo.REORGANISATIONS}
        # Member units: (seat post, liaison post, joined on) in the notice's order.
        members: list[tuple[Post, Post, datetime.date]] = []
        for order_no, _notice, name, short, kind, head_title in demo.CITY_MEMBER_UNITS:
            unit = self.unit(city, name, short, kind, order_no)
            if name in reorganised:
                _, last_day, new_name, new_short, first_day, new_title = reorganised[name]
                unit.valid_to = last_day
                new = self.unit(city, new_name, new_short, kind, order_no, valid_from=first_day)
                self.successions.append((unit, new))
                head, liaison = self.member(new, new_title)
                members.append((head, liaison, first_day))
            else:
                head, liaison = self.member(unit, head_title)
                members.append((head, liaison, demo.FOUNDED_ON))
        court_order, court_name, court_short, kind, head_title, seat_title = demo.CITY_COURT
        court = self.unit(
            city, court_name, court_short, kind, court_order, court_code=demo.CITY_COURT_CODE
        )
        self.post(court, head_title, PostKind.HEAD)
        court_seat = self.post(court, seat_title, PostKind.EXECUTIVE_DEPUTY)
        court_liaison = self.liaison(court)
        members.append((court_seat, court_liaison, demo.FOUNDED_ON))
        ps_order, ps_name, ps_short, kind, head_title, seat_title = demo.CITY_PUBLIC_SECURITY
        ps = self.unit(city, ps_name, ps_short, kind, ps_order)
        self.post(ps, head_title, PostKind.HEAD)
        members.append(
            (
                self.post(ps, seat_title, PostKind.EXECUTIVE_DEPUTY),
                self.liaison(ps),
                demo.FOUNDED_ON,
            )
        )
        joined = demo.APPROVED_JOIN
        unit = self.unit(city, joined.name, joined.short_name, UnitKind.DEPARTMENT, joined.order_no)
        head, liaison = self.member(unit, joined.head_title)
        assert joined.decided_at is not None
        members.append((head, liaison, timezone.localdate(joined.decided_at)))
        pending = demo.PENDING_JOIN
        unit = self.unit(
            city, pending.name, pending.short_name, UnitKind.DEPARTMENT, pending.order_no
        )
        self.member(unit, pending.head_title)

        office = self.unit_by_name[demo.CITY_OFFICE_UNIT]
        self.post(office, demo.OFFICE_STAFF_TITLE, PostKind.STAFF, female_share=0.5)
        m = self.mechanism(
            city,
            demo.CITY_MECHANISM_NAME,
            office,
            demo.FOUNDED_ON,
            demo.CITY_FOUNDING_DOCUMENT_NO,
            demo.CITY_FOUNDING_DOCUMENT_TITLE,
        )
        for role, unit_name, title, kind in demo.CITY_CONVENERS:
            unit = self.unit_by_name[unit_name]
            seat_post = self.post_by_key.get((unit_name, title)) or self.post(unit, title, kind)
            self.seat(m, role, seat_post, court_liaison if unit is court else None, demo.FOUNDED_ON)
        for post, liaison, joined_on in members:
            self.seat(m, SeatRole.MEMBER, post, liaison, joined_on)

    def build_county(
        self, county: Jurisdiction, *, seats: int, established_on: datetime.date
    ) -> None:
        j, s = county.name, county.short_name
        head_title, executive_title, deputy_title = demo.county_titles(county.level)
        gov = self.unit(county, f"{j}人民政府", f"{j}政府", UnitKind.GOVERNMENT, 0)
        conveners: list[tuple[str, Post, Post | None]] = [
            (SeatRole.CONVENER, self.post(gov, head_title, PostKind.HEAD), None),
            (
                SeatRole.EXECUTIVE_DEPUTY_CONVENER,
                self.post(gov, executive_title, PostKind.EXECUTIVE_DEPUTY),
                None,
            ),
            (SeatRole.DEPUTY_CONVENER, self.post(gov, deputy_title, PostKind.DEPUTY), None),
        ]
        members: list[tuple[Post, Post]] = []
        for order_no, name, short, kind, title, _core in demo.county_member_templates(
            county.code, seats
        ):
            unit = self.unit(county, demo.fill(name, j, s), demo.fill(short, j, s), kind, order_no)
            members.append(self.member(unit, title))
        order_no, name, short, kind, title, seat_title = demo.COUNTY_COURT
        court = self.unit(
            county,
            demo.COURT_NAMES.get(j, demo.fill(name, j, s)),
            demo.fill(short, j, s),
            kind,
            order_no,
            court_code=demo.county_court_code(county.code),
        )
        president = self.post(court, title, PostKind.HEAD)
        court_liaison = self.liaison(court)
        conveners.append((SeatRole.DEPUTY_CONVENER, president, court_liaison))
        members.append((self.post(court, seat_title, PostKind.EXECUTIVE_DEPUTY), court_liaison))
        order_no, name, short, kind, title, seat_title = demo.COUNTY_PUBLIC_SECURITY
        ps = self.unit(county, demo.fill(name, j, s), demo.fill(short, j, s), kind, order_no)
        self.post(ps, title, PostKind.HEAD)
        members.append((self.post(ps, seat_title, PostKind.EXECUTIVE_DEPUTY), self.liaison(ps)))

        office = self.unit_by_name[demo.fill(demo.COUNTY_OFFICE_TEMPLATE, j, s)]
        self.post(office, demo.OFFICE_STAFF_TITLE, PostKind.STAFF, female_share=0.5)
        m = self.mechanism(
            county,
            f"{j}常态化府院联动工作联席会议",
            office,
            established_on,
            "",
            f"关于建立{j}常态化府院联动工作机制的通知",
        )
        for role, post, liaison in conveners:
            self.seat(m, role, post, liaison, established_on)
        for post, liaison in members:
            self.seat(m, SeatRole.MEMBER, post, liaison, established_on)

    def save_all(self) -> None:
        Unit.objects.bulk_create(self.units)
        for old, new in self.successions:
            old.successor = new
        Unit.objects.bulk_update([old for old, _ in self.successions], ["successor"])
        Person.objects.bulk_create(self.persons)
        Post.objects.bulk_create(self.posts)
        Mechanism.objects.bulk_create(self.mechanisms)
        Seat.objects.bulk_create(self.seats)
        TaskArea.objects.bulk_create(self.task_areas)
        ListKind.objects.bulk_create(self.list_kinds)

    def build_accounts_and_history(self) -> None:
        password = make_password(demo.PASSWORD)
        users: list[User] = []
        assignments: list[RoleAssignment] = []
        for username, role, jurisdiction_code, unit_name, held, display in demo.DEMO_ACCOUNTS:
            person = self.post_by_key[held].holder if held else None
            user = User(
                username=username,
                display_name=person.name if person else display,
                person=person,
                password=password,
                password_changed_at=self.now,
                date_joined=self.now,
            )
            users.append(user)
            unit = self.unit_by_name[unit_name] if unit_name else None
            jurisdiction = (
                unit.jurisdiction
                if unit
                else self.jurisdictions[jurisdiction_code]
                if jurisdiction_code
                else None
            )
            assignments.append(
                self.stamp(
                    RoleAssignment(
                        user=user,
                        role=role,
                        jurisdiction=jurisdiction,
                        unit=unit,
                        valid_from=demo.ISSUED_ON,
                        note="演示数据",
                    )
                )
            )
            where = unit.name if unit else jurisdiction.name if jurisdiction else "全系统"
            if held:
                where += f" · {held[1]}" if unit else f" · {held[0]}{held[1]}"
            self.accounts.append(
                (username, demo.PASSWORD, str(Role(role).label), user.display_name, where)
            )
        User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(assignments)
        self.role_assignment_count = len(assignments)

        by_name = {u.username: u for u in users}
        city_mechanism = self.mechanisms[0]
        changes = []
        for proposal, state in ((demo.APPROVED_JOIN, "approved"), (demo.PENDING_JOIN, "proposed")):
            proposed_at = proposal.proposed_at or self.now - datetime.timedelta(days=2)
            change = MembershipChange(
                mechanism=city_mechanism,
                unit=self.unit_by_name[proposal.name],
                kind=MembershipChangeKind.JOIN,
                reason=proposal.reason,
                representative_title=proposal.head_title,
                state=state,
                proposed_by=by_name["office"],
                created_at=proposed_at,
                updated_at=proposal.decided_at or proposed_at,
            )
            if proposal.decided_at:
                change.decided_by = by_name["leader"]
                change.decided_at = proposal.decided_at
                change.decision_comment = proposal.decision_comment
                change.effective_on = timezone.localdate(proposal.decided_at)
            changes.append(change)
        MembershipChange.objects.bulk_create(changes)
        self.membership_change_count = len(changes)
