"""State graphs as data: states with flags, transitions with allowed roles, required fields,
a required comment, and optional steps a mechanism can switch on (ARCHITECTURE rule 3).

The graph answers "which transitions may these roles take from this state"; the permission
layer (`accounts.permissions.can`) supplies the roles a user holds towards an object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise


class TransitionError(Exception):
    """A transition was asked for that the graph does not allow, or its inputs are missing."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class State:
    code: str
    label: str | Promise
    final: bool = False
    # Colour class for badges: "secondary", "primary", "success", "danger", "warning".
    tone: str = "secondary"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    comment_required: bool = False
    required_fields: tuple[str, ...] = ()
    # Name of an optional step; the transition exists only when the mechanism enables it.
    optional_step: str | None = None
    # The transition exists only while this optional step is NOT enabled (the short path).
    unless_step: str | None = None
    # Button style hint.
    tone: str = "primary"


@dataclass(frozen=True)
class Workflow:
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    _state_index: dict[str, State] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index = {s.code: s for s in self.states}
        object.__setattr__(self, "_state_index", index)
        if self.initial not in index:
            raise ValueError(f"{self.name}: initial state {self.initial} is not a state")
        names = set()
        for t in self.transitions:
            if t.name in names:
                raise ValueError(f"{self.name}: transition {t.name} defined twice")
            names.add(t.name)
            for code in (*t.sources, t.target):
                if code not in index:
                    raise ValueError(f"{self.name}: transition {t.name} names unknown {code}")

    def state(self, code: str) -> State:
        return self._state_index[code]

    def choices(self) -> list[tuple[str, str | Promise]]:
        return [(s.code, s.label) for s in self.states]

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise TransitionError("workflow.unknown_transition", f"unknown transition {name}")

    def available(
        self,
        state: str,
        roles: Iterable[str],
        enabled_steps: Iterable[str] = (),
    ) -> list[Transition]:
        role_set = set(roles)
        steps = set(enabled_steps)
        return [
            t
            for t in self.transitions
            if state in t.sources
            and t.roles & role_set
            and (t.optional_step is None or t.optional_step in steps)
            and (t.unless_step is None or t.unless_step not in steps)
        ]

    def check(
        self,
        name: str,
        state: str,
        roles: Iterable[str],
        *,
        comment: str = "",
        values: dict[str, object] | None = None,
        enabled_steps: Iterable[str] = (),
    ) -> Transition:
        """Return the transition if it may be taken now with these inputs, else raise."""
        from django.utils.translation import gettext as _

        transition = self.transition(name)
        if transition not in self.available(state, roles, enabled_steps):
            raise TransitionError(
                "workflow.not_allowed",
                _("“%(action)s” is not possible in the state “%(state)s” for your role.")
                % {"action": transition.label, "state": self.state(state).label},
            )
        if transition.comment_required and not comment.strip():
            raise TransitionError(
                "workflow.comment_required",
                _("“%(action)s” needs a comment giving the reason.") % {"action": transition.label},
            )
        missing = [f for f in transition.required_fields if not (values or {}).get(f)]
        if missing:
            raise TransitionError(
                "workflow.fields_required",
                _("Fill in: %(fields)s.") % {"fields": ", ".join(missing)},
            )
        return transition
