"""Generate plans, organizations, focal points and status entries at scale, beside the shipped data (issue 11).

Deterministic: the same seed and sizes give the same rows (and the same ids, from the same
database state). Dates are anchored to ANCHOR, never to today. Everything is written in one
transaction: a failure leaves nothing behind.

On PostgreSQL the audit trail's triggers (django-pghistory) copy every plan, objective, activity,
responsibility, participant, organization, focal point and user inserted into its event tables
(about 170,000 events at the default sizes: some 3 of the 9 to 11 seconds the plans take); status
entries and reviews are not audited, and are written with COPY.
"""

import bisect
import datetime
import heapq
import json
import math
import random
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Field, Max, Model

from actions.models import (
    Activity,
    ActivityStatus,
    Confidentiality,
    Objective,
    OrganizationProgress,
    Participation,
    Plan,
    Responsibility,
    ResponsibilityRole,
    ReviewDecision,
    ReviewState,
    Status,
    StatusEntry,
    StatusEntryReview,
)
from organizations.models import FocalPoint, Organization, OrganizationKind
from organizations.roles import GROUP_NAMES, Role, ensure_role_groups

PLAN_PREFIX = "scale-"
ORGANIZATION_PREFIX = "SCALE-"
FOCAL_POINT_PREFIX = "scale-fp-"
STAFF_PREFIX = "scale-staff-"
STAFF_COUNT = 5
OBJECTIVES_PER_PLAN = 10

# Twenty years of history, ending on a fixed day (never today: the rows must not depend on when it runs).
ANCHOR = datetime.date(2026, 6, 30)
START = datetime.date(2006, 7, 1)
START_US = int(datetime.datetime.combine(START, datetime.time.min, datetime.UTC).timestamp() * 1_000_000)
END_US = int(datetime.datetime.combine(ANCHOR, datetime.time.max, datetime.UTC).timestamp() * 1_000_000)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
HOUR_US = 3600 * 1_000_000
DAY_US = 24 * HOUR_US

# Skew: the k-th busiest activity (organization) weighs 1 / k ** s. With 40,000 activities and
# 2,000,000 entries, the busiest activity gets about 11,000 entries and the quietest about 20;
# the busiest organization is named in about one activity in twelve.
ACTIVITY_SKEW = 0.6
ORGANIZATION_SKEW = 0.8
LEAD_WEIGHT, PARTNER_WEIGHT = 2.0, 1.0

# Shares of what focal points log; CTED staff's own entries (STAFF_AUTHOR_SHARE) are accepted unreviewed.
ACCEPTED_SHARE, RETURNED_SHARE = 0.90, 0.05  # the rest stays submitted
STAFF_AUTHOR_SHARE = 0.02
# A submitted entry corrected before review becomes superseded; a returned one is corrected after its review.
SUBMITTED_CORRECTED_SHARE = 0.35
RETURNED_CORRECTED_SHARE = 0.5
EVIDENCE_SHARE = 0.1

STATUS_WEIGHTS = {
    Status.NOT_STARTED: 4,
    Status.PLANNED: 10,
    Status.IN_PROGRESS: 28,
    Status.ONGOING: 30,
    Status.COMPLETED: 16,
    Status.DELAYED: 9,
    Status.DISCONTINUED: 3,
}
CONFIDENTIALITY_WEIGHTS = {
    Confidentiality.PARTICIPANTS: 85,
    Confidentiality.RESTRICTED: 10,
    Confidentiality.PUBLIC: 5,
}
KIND_WEIGHTS = {
    OrganizationKind.UN_BODY: 10,
    OrganizationKind.INTERNATIONAL: 30,
    OrganizationKind.REGIONAL: 35,
    OrganizationKind.SUBREGIONAL: 25,
}

TOPICS = [
    "border security and management", "terrorist financing", "aviation security", "maritime security",
    "preventing violent extremism", "mutual legal assistance", "foreign terrorist fighters",
    "critical infrastructure protection", "advance passenger information and PNR", "small arms control",
    "the misuse of information technology", "human rights in counter-terrorism", "victims of terrorism",
    "non-proliferation of weapons of mass destruction", "prison radicalization", "cross-border cooperation",
]  # fmt: skip
DEEDS = [
    "held a national workshop on", "trained officials in", "published guidance on", "assessed needs in",
    "drafted model legislation on", "co-organized a regional meeting on", "deployed experts to advise on",
    "updated its database on", "ran a table-top exercise on", "reviewed national legislation on",
]  # fmt: skip
PLACES = [
    "East Africa", "West Africa", "the Sahel", "North Africa", "the Middle East", "Central Asia", "South Asia",
    "South-East Asia", "the Pacific", "the Caribbean", "Central America", "South America", "the Balkans",
    "the Caucasus", "Eastern Europe", "the Gulf",
]  # fmt: skip
FOLLOW_UPS = [
    "Follow-up is planned for next year.",
    "A report was circulated to the participants.",
    "Funding is sought for a second phase.",
    "The results were shared with CTED.",
    "Delays are due to the security situation.",
    "The States concerned asked for further assistance.",
    "",
]
RETURN_COMMENTS = [
    "Please say which States took part.",
    "The dates are missing: when did this take place?",
    "Add a link to the report, or say where it can be read.",
    "This seems to belong to another activity; please check the number.",
    "Please say what changed since the previous entry.",
]


@dataclass
class Sizes:
    plans: int
    activities: int
    organizations: int
    focal_points: int
    entries: int
    seed: int


@dataclass
class Cast:
    """The generated organizations and accounts, as the entries need them."""

    organizations: list[Organization]
    weights: list[float]  # by position in ``organizations``
    staff_ids: list[int]
    focal_point_users: dict[int, list[int]] = field(default_factory=dict)  # organization id -> user ids


@dataclass(frozen=True)
class Pair:
    activity_id: int
    organization_id: int
    acronym: str


class Command(BaseCommand):
    help = (
        "Generate data at scale beside the shipped plans, for benchmarks (issue 11): plans scale-001... of "
        "ten objectives sharing --activities activities (1.1 .. 10.40), organizations SCALE-001..., focal "
        "points scale-fp-0001... (user accounts with the focal-point role), CTED staff scale-staff-1..5, and "
        "status entries with their reviews over twenty years ending 2026-06-30, skewed so that some "
        "activities and organizations are far busier than others. Deterministic: the same --seed and sizes "
        "give the same rows. "
        "The accounts get unusable passwords (nothing to hash, nobody can sign in with them; set one in the "
        "admin or with `changepassword` if needed). On PostgreSQL the entries and reviews are written with "
        "COPY (the defaults take a few minutes); on other databases with batched inserts (small sizes only). "
        "Refused when generated data already exists; one transaction, so a failure leaves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plans", type=int, default=100, help="Generated plans (default 100).")
        parser.add_argument("--activities", type=int, default=400, help="Activities per plan (default 400).")
        parser.add_argument("--organizations", type=int, default=300, help="Organizations (default 300).")
        parser.add_argument("--focal-points", type=int, default=2000, help="Focal-point accounts (default 2000).")
        parser.add_argument("--entries", type=int, default=2_000_000, help="Status entries (default 2,000,000).")
        parser.add_argument("--seed", type=int, default=2007, help="Seed of the random choices (default 2007).")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = Sizes(
            plans=options["plans"],
            activities=options["activities"],
            organizations=options["organizations"],
            focal_points=options["focal_points"],
            entries=options["entries"],
            seed=options["seed"],
        )
        if sizes.plans < 1 or sizes.activities < 1 or sizes.organizations < 2:
            raise CommandError("Give at least 1 plan, 1 activity per plan and 2 organizations.")
        if sizes.plans > 999 or sizes.organizations > 999 or sizes.activities > 9999:
            raise CommandError("At most 999 plans, 999 organizations and 9,999 activities per plan.")
        if sizes.focal_points < 0 or sizes.entries < 0:
            raise CommandError("Focal points and entries cannot be negative.")
        self.verbose = options["verbosity"] > 0
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys at the end of each statement, not all at the commit. Deferred,
                # each audited row inserted (pghistory's triggers abort two subtransactions per row,
                # and each abort scans every deferred check queued so far) costs more than the last:
                # the plans took minutes instead of seconds.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.refuse_if_generated()
            generate(sizes, self.progress)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # As after any bulk load: the planner's statistics, and the visibility map without which
            # every first read of the new rows writes their hint bits (the jobs' first read of two
            # million entries took 2.2 s instead of 0.3 s). Outside the transaction, as VACUUM must be (so not
            # in a test's).
            vacuumed = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.progress(f"  {'VACUUM ANALYZE':<53} {time.perf_counter() - vacuumed:8.1f} s")
        self.progress(f"Done in {time.perf_counter() - started:.1f} s.")

    def refuse_if_generated(self) -> None:
        if (
            Plan.objects.filter(code__startswith=PLAN_PREFIX).exists()
            or Organization.objects.filter(acronym__istartswith=ORGANIZATION_PREFIX).exists()
            or User.objects.filter(username__startswith="scale-").exists()
        ):
            raise CommandError(
                "Generated data already exists (plans scale-..., organizations SCALE-... or users scale-...): "
                "generate into a database that has none."
            )

    def progress(self, line: str) -> None:
        if self.verbose:
            self.stdout.write(line)
            self.stdout.flush()


def generate(sizes: Sizes, say: Any) -> None:
    rng = random.Random(sizes.seed)

    @contextmanager
    def part(label: str) -> Iterator[list[int]]:
        counted = [0]
        started = time.perf_counter()
        yield counted
        say(f"  {label:<42}{counted[0]:>11,} rows {time.perf_counter() - started:8.1f} s")

    say(
        f"Generating {sizes.plans} plans x {sizes.activities} activities, {sizes.organizations} organizations, "
        f"{sizes.focal_points} focal points and {sizes.entries:,} entries (seed {sizes.seed}, {connection.vendor})"
    )
    with part("organizations") as counted:
        cast = make_organizations(rng, sizes)
        counted[0] = len(cast.organizations)
    with part("accounts and focal points") as counted:
        counted[0] = make_accounts(rng, sizes, cast)
    with part("plans, activities, responsibilities") as counted:
        pairs, activity_weights, counted[0] = make_plans(rng, sizes, cast)
    with part("status entries and reviews") as counted:
        counted[0] = make_entries(rng, sizes, cast, pairs, activity_weights, say)
    # COPY sends no post_save: each activity's kept overall status, and each organization's standing
    # entry on it, are recomputed from the entries written.
    with part("kept activity statuses") as counted:
        counted[0] = ActivityStatus.objects.refresh_all()
    with part("kept standing entries") as counted:
        counted[0] = OrganizationProgress.objects.refresh_all()


def zipf_weights(count: int, skew: float, rng: random.Random) -> list[float]:
    """A weight per position: a shuffled rank r (1 = busiest) weighs 1 / r ** skew."""
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    return [1 / rank**skew for rank in ranks]


def weighted(rng: random.Random, cumulative: Sequence[float]) -> int:
    """A position drawn with the weights whose running totals are ``cumulative``."""
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def cumulate(weights: Sequence[float]) -> list[float]:
    total, running = 0.0, []
    for weight in weights:
        total += weight
        running.append(total)
    return running


def make_organizations(rng: random.Random, sizes: Sizes) -> Cast:
    kinds, kind_weights = list(KIND_WEIGHTS), cumulate(list(KIND_WEIGHTS.values()))
    organizations = Organization.objects.bulk_create(
        Organization(
            acronym=f"{ORGANIZATION_PREFIX}{n:03d}",
            name=f"Scale test organization {n:03d}",
            kind=kinds[weighted(rng, kind_weights)],
            website=f"https://scale-{n:03d}.example.org",
        )
        for n in range(1, sizes.organizations + 1)
    )
    return Cast(organizations, zipf_weights(len(organizations), ORGANIZATION_SKEW, rng), staff_ids=[])


def unusable_password(rng: random.Random) -> str:
    # Django's make_password(None) is random; this is as unusable ("!" prefix) and repeatable.
    return "!" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40))


def make_accounts(rng: random.Random, sizes: Sizes, cast: Cast) -> int:
    ensure_role_groups()
    joined = datetime.datetime.combine(START, datetime.time(9), datetime.UTC)
    staff = User.objects.bulk_create(
        User(
            username=f"{STAFF_PREFIX}{n}",
            email=f"{STAFF_PREFIX}{n}@scale.example.org",
            password=unusable_password(rng),
            first_name="Scale",
            last_name=f"Staff {n}",
            is_staff=True,
            date_joined=joined,
        )
        for n in range(1, STAFF_COUNT + 1)
    )
    cast.staff_ids = [user.pk for user in staff]
    # Every organization gets one focal point (while there are enough); the others go more often to the
    # busy ones, less steeply than the work (by the square root of the weights): at the default sizes
    # the busiest organization has a few dozen, most have a handful.
    positions = list(range(min(sizes.focal_points, len(cast.organizations))))
    cumulative = cumulate([math.sqrt(weight) for weight in cast.weights])
    positions += [weighted(rng, cumulative) for _ in range(sizes.focal_points - len(positions))]
    users = User.objects.bulk_create(
        (
            User(
                username=f"{FOCAL_POINT_PREFIX}{n:04d}",
                email=f"{FOCAL_POINT_PREFIX}{n:04d}@scale.example.org",
                password=unusable_password(rng),
                first_name="Focal point",
                last_name=f"{n:04d}",
                date_joined=joined,
            )
            for n in range(1, sizes.focal_points + 1)
        ),
        batch_size=1000,
    )
    groups = {role: Group.objects.get(name=GROUP_NAMES[role]) for role in (Role.STAFF, Role.FOCAL_POINT)}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=groups[Role.STAFF].pk) for user in staff]
        + [Membership(user_id=user.pk, group_id=groups[Role.FOCAL_POINT].pk) for user in users],
        batch_size=1000,
    )
    focal_points = []
    for n, (user, position) in enumerate(zip(users, positions, strict=True), start=1):
        organization = cast.organizations[position]
        cast.focal_point_users.setdefault(organization.pk, []).append(user.pk)
        focal_points.append(
            FocalPoint(
                organization=organization,
                name=f"Focal point {n:04d}",
                title="Counter-terrorism focal point",
                email=user.email,
                phone=f"+1 555 {n:04d}",
                confirmed_on=ANCHOR - datetime.timedelta(days=rng.randrange(730)),
                user=user,
            )
        )
    FocalPoint.objects.bulk_create(focal_points, batch_size=1000)
    return len(staff) + 2 * len(users)


def numbering(activities: int) -> list[tuple[int, int]]:
    """(objective, item) of each activity: up to ten objectives sharing the activities evenly (1.1 .. 10.40)."""
    objectives = min(OBJECTIVES_PER_PLAN, activities)
    base, extra = divmod(activities, objectives)
    return [(o, i) for o in range(1, objectives + 1) for i in range(1, base + (o <= extra) + 1)]


def make_plans(rng: random.Random, sizes: Sizes, cast: Cast) -> tuple[list[Pair], list[float], int]:
    """The plans with their objectives, activities, responsibilities and participants.

    Each activity names a lead and one or two partners, drawn with the organizations' skewed
    weights. Returns the (activity, organization) pairs that may report, each pair's weight
    for the entries (the activity's skewed weight, twice as much for the lead), and the rows made.
    """
    rows = 0
    numbers = numbering(sizes.activities)
    cumulative = cumulate(cast.weights)
    pairs: list[Pair] = []
    roles: list[str] = []
    activity_ids: list[int] = []
    for p in range(1, sizes.plans + 1):
        adopted = START - datetime.timedelta(days=1 + rng.randrange(60))
        plan = Plan.objects.create(
            code=f"{PLAN_PREFIX}{p:03d}",
            title=f"Scale test plan {p:03d}",
            meeting="Generated by generate_scale_data for benchmarks.",
            venue="Nowhere",
            adopted_on=adopted,
            source=f"generate_scale_data --seed {sizes.seed}",
            review_interval_months=12,
        )
        objectives = {
            o.number: o
            for o in Objective.objects.bulk_create(
                Objective(
                    plan=plan,
                    number=n,
                    text=f"Objective {n} of scale test plan {p:03d}: "
                    f"strengthen cooperation on {TOPICS[(p + n) % len(TOPICS)]}.",
                )
                for n in range(1, numbers[-1][0] + 1)
            )
        }
        named: list[list[tuple[Organization, str]]] = []
        for _ in numbers:
            chosen: list[tuple[Organization, str]] = []
            wanted = min(1 + (1 if rng.random() < 0.5 else 2), len(cast.organizations))
            while len(chosen) < wanted:
                organization = cast.organizations[weighted(rng, cumulative)]
                if all(organization.pk != o.pk for o, _role in chosen):
                    role = ResponsibilityRole.LEAD if not chosen else ResponsibilityRole.PARTNER
                    chosen.append((organization, role))
            named.append(chosen)
        activities = Activity.objects.bulk_create(
            Activity(
                plan=plan,
                objective=objectives[o],
                number=f"{o}.{i}",
                text=f"Activity {o}.{i} of scale test plan {p:03d}: "
                f"{DEEDS[(o * i + p) % len(DEEDS)].split(' ', 1)[1]} {TOPICS[(o + i * p) % len(TOPICS)]} "
                f"in {PLACES[(i + p) % len(PLACES)]}, with the States and organizations concerned, "
                "and report on the progress made.",
                responsible_text=", ".join(organization.acronym for organization, _role in chosen),
            )
            for (o, i), chosen in zip(numbers, named, strict=True)
        )
        responsibilities = [
            Responsibility(activity=activity, organization=organization, role=role)
            for activity, chosen in zip(activities, named, strict=True)
            for organization, role in chosen
        ]
        Responsibility.objects.bulk_create(responsibilities)
        taking_part = sorted({r.organization.pk: r.organization for r in responsibilities}.values(), key=lambda o: o.pk)
        Participation.objects.bulk_create(
            Participation(plan=plan, organization=organization, joined_on=adopted) for organization in taking_part
        )
        for r in responsibilities:
            pairs.append(Pair(r.activity.pk, r.organization.pk, r.organization.acronym))
            roles.append(r.role)
        activity_ids += [a.pk for a in activities]
        rows += 1 + len(objectives) + len(activities) + len(responsibilities) + len(taking_part)
    weight_of = dict(zip(activity_ids, zipf_weights(len(activity_ids), ACTIVITY_SKEW, rng), strict=True))
    pair_weights = [
        weight_of[pair.activity_id] * (LEAD_WEIGHT if role == ResponsibilityRole.LEAD else PARTNER_WEIGHT)
        for pair, role in zip(pairs, roles, strict=True)
    ]
    return pairs, pair_weights, rows


@dataclass(order=True)
class Correction:
    """An entry to be logged at ``created_us`` that corrects entry ``supersedes`` (written already)."""

    created_us: int
    sequence: int
    supersedes: int = field(compare=False)
    pair: Pair = field(compare=False)
    author_id: int = field(compare=False)
    reported_on: datetime.date = field(compare=False)
    confidentiality: str = field(compare=False)


def moment(microseconds: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=microseconds)


def make_entries(
    rng: random.Random, sizes: Sizes, cast: Cast, pairs: list[Pair], pair_weights: list[float], say: Any
) -> int:
    """The status entries, in the order they were logged (ids and created_at increase together), and their reviews.

    Entries are spread over twenty years, a little denser in the later years, over the
    (activity, organization) pairs with the pairs' skewed weights. A correction is logged
    some time after the entry it corrects: a submitted entry corrected before review is
    written as superseded, a returned entry is corrected after its review.
    """
    n = sizes.entries
    if n == 0 or not pairs:
        return 0
    if connection.vendor == "postgresql":
        # No other writer until the commit: the ids are taken from the current maximum.
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (StatusEntry, StatusEntryReview))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    entry_base = (StatusEntry.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    review_base = (StatusEntryReview.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    picks = rng.choices(range(len(pairs)), cum_weights=cumulate(pair_weights), k=n)
    statuses, status_weights = list(STATUS_WEIGHTS), cumulate(list(STATUS_WEIGHTS.values()))
    secrecy, secrecy_weights = list(CONFIDENTIALITY_WEIGHTS), cumulate(list(CONFIDENTIALITY_WEIGHTS.values()))
    authors = cast.focal_point_users
    span = END_US - START_US
    staff_ids = set(cast.staff_ids)
    corrected_share = {
        ReviewState.SUBMITTED: SUBMITTED_CORRECTED_SHARE,
        ReviewState.RETURNED: RETURNED_CORRECTED_SHARE,
    }

    # The reviews are written after the entries (one COPY at a time), kept compactly meanwhile.
    review_entry, review_at, review_by, review_comment = array("q"), array("q"), array("h"), array("h")

    def timestamp(slot: float) -> int:
        # The density of entries doubles from the first year to the last.
        return START_US + int(span * (math.sqrt(1 + 3 * slot / n) - 1))

    columns = [
        "id", "activity", "organization", "status", "observations", "evidence", "reported_on", "author",
        "confidentiality", "review_state", "supersedes", "created_at",
    ]  # fmt: skip
    pending: list[Correction] = []
    reserved = 0  # entries generated or promised (a correction to come)
    main = 0  # entries drawn from the pairs (not corrections)
    last_us = 0
    next_main: int | None = None
    written = 0
    started = time.perf_counter()
    with rows_into(StatusEntry, columns) as write:
        while True:
            if next_main is None and reserved < n:
                next_main = timestamp(reserved + rng.random())
                reserved += 1
            correction: Correction | None = None
            if pending and (next_main is None or pending[0].created_us < next_main):
                correction = heapq.heappop(pending)
                created_us = correction.created_us
                pair, author_id = correction.pair, correction.author_id
                reported_on, confidentiality = correction.reported_on, correction.confidentiality
            elif next_main is not None:
                created_us, next_main = next_main, None
                pair = pairs[picks[main]]
                main += 1
                fps = authors.get(pair.organization_id)
                staff_author = not fps or rng.random() < STAFF_AUTHOR_SHARE
                author_id = rng.choice(cast.staff_ids) if staff_author or not fps else rng.choice(fps)
                lag = min(int(rng.expovariate(1 / 7)), 90)
                reported_on = max(moment(created_us).date() - datetime.timedelta(days=lag), START)
                confidentiality = secrecy[weighted(rng, secrecy_weights)]
            else:
                break
            created_us = max(created_us, last_us + 1)
            last_us = created_us
            entry_id = entry_base + written

            # The review state, the review and whether a correction follows.
            draw = rng.random()
            if author_id in staff_ids:
                state = ReviewState.ACCEPTED  # CTED staff's own entries need no review
            elif draw < ACCEPTED_SHARE:
                state = ReviewState.ACCEPTED
            elif draw < ACCEPTED_SHARE + RETURNED_SHARE:
                state = ReviewState.RETURNED
            else:
                state = ReviewState.SUBMITTED
            reviewed_us = created_us
            if state != ReviewState.SUBMITTED and author_id not in staff_ids:
                delay = 10 * 60 * 1_000_000 + int(rng.expovariate(1 / (3 * DAY_US)))
                reviewed_us = min(created_us + min(delay, 60 * DAY_US), END_US)
                review_entry.append(entry_id)
                review_at.append(reviewed_us)
                review_by.append(rng.randrange(len(cast.staff_ids)))
                review_comment.append(rng.randrange(len(RETURN_COMMENTS)) if state == ReviewState.RETURNED else -1)
            if state in corrected_share and rng.random() < corrected_share[state]:
                due = reviewed_us + HOUR_US + int(rng.expovariate(1 / (4 * DAY_US)))
                if due <= END_US and reserved < n:
                    reserved += 1
                    heapq.heappush(
                        pending,
                        Correction(due, written, entry_id, pair, author_id, reported_on, confidentiality),
                    )
                    if state == ReviewState.SUBMITTED:
                        state = ReviewState.SUPERSEDED

            status = statuses[weighted(rng, status_weights)]
            topic = TOPICS[rng.randrange(len(TOPICS))]
            if correction is not None:
                observations = (
                    f"Correction: {pair.acronym} {DEEDS[rng.randrange(len(DEEDS))]} {topic} "
                    f"for {rng.randrange(5, 200)} officials from {PLACES[rng.randrange(len(PLACES))]}. "
                    f"{FOLLOW_UPS[rng.randrange(len(FOLLOW_UPS))]}"
                )
            else:
                observations = (
                    f"{pair.acronym} {DEEDS[rng.randrange(len(DEEDS))]} {topic} "
                    f"for {rng.randrange(5, 200)} officials from {PLACES[rng.randrange(len(PLACES))]} "
                    f"({reported_on:%B %Y}). {FOLLOW_UPS[rng.randrange(len(FOLLOW_UPS))]}"
                )
            evidence = (
                json.dumps([f"https://scale.example.org/reports/{entry_id}"]) if rng.random() < EVIDENCE_SHARE else "[]"
            )
            write(
                (
                    entry_id, pair.activity_id, pair.organization_id, status, observations.strip(), evidence,
                    reported_on, author_id, confidentiality, state,
                    correction.supersedes if correction is not None else None, moment(created_us),
                )
            )  # fmt: skip
            written += 1
            if written % 250_000 == 0:
                say(f"    {written:>11,} entries {time.perf_counter() - started:8.1f} s")
    assert written == n, (written, n)

    started = time.perf_counter()
    with rows_into(StatusEntryReview, ["id", "entry", "reviewer", "decision", "comment", "created_at"]) as write:
        for k, entry_id in enumerate(review_entry):
            comment = review_comment[k]
            write(
                (
                    review_base + k,
                    entry_id,
                    cast.staff_ids[review_by[k]],
                    ReviewDecision.ACCEPT if comment < 0 else ReviewDecision.RETURN,
                    "" if comment < 0 else RETURN_COMMENTS[comment],
                    moment(review_at[k]),
                )
            )
    say(f"    {len(review_entry):>11,} reviews {time.perf_counter() - started:8.1f} s")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [StatusEntry, StatusEntryReview]):
            cursor.execute(sql)
    return written + len(review_entry)


def column_of(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


@contextmanager
def rows_into(model: type[Model], names: list[str]) -> Iterator[Any]:
    """A function that writes one row (values in the order of ``names``) into ``model``'s table.

    PostgreSQL: COPY. Elsewhere: batched INSERTs (bulk_create would overwrite ``created_at``,
    an auto_now_add field, with the time of the insert).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column_of(model, name)) for name in names)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            # The foreign-key checks at the end of the COPY use plans this connection may have kept
            # from when the tables were tiny (a sequential scan, after a few entries logged in the same
            # process, as the page benchmark does): one scan of 40,000 activities per entry took minutes.
            # Plan them afresh, for the tables as they are now.
            cursor.execute("DISCARD PLANS")
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            yield copy.write_row
        return

    batch: list[tuple[Any, ...]] = []
    ops = connection.ops
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"

    def adapt(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return ops.adapt_datefield_value(value)
        return value

    def write(row: tuple[Any, ...]) -> None:
        batch.append(tuple(adapt(value) for value in row))
        if len(batch) >= 1000:
            flush()

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        batch.clear()

    yield write
    flush()
