"""The workflow engine: graphs are data; transitions check roles, comments, fields, steps."""

import pytest

from fuyuan.core.workflow import State, Transition, TransitionError, Workflow

GRAPH = Workflow(
    name="demo",
    initial="draft",
    states=(State("draft", "Draft"), State("checked", "Checked"), State("done", "Done", True)),
    transitions=(
        Transition(
            "check",
            "Check",
            ("draft",),
            "checked",
            frozenset({"leader"}),
            optional_step="leader_check",
        ),
        Transition(
            "submit",
            "Submit",
            ("draft", "checked"),
            "done",
            frozenset({"unit"}),
            required_fields=("summary",),
        ),
        Transition(
            "send_back",
            "Send back",
            ("done",),
            "draft",
            frozenset({"office"}),
            comment_required=True,
        ),
    ),
)


def test_available_depends_on_roles_and_state():
    assert [t.name for t in GRAPH.available("draft", {"unit"})] == ["submit"]
    assert GRAPH.available("done", {"unit"}) == []


def test_optional_step_only_when_enabled():
    assert GRAPH.available("draft", {"leader"}) == []
    assert [t.name for t in GRAPH.available("draft", {"leader"}, {"leader_check"})] == ["check"]


def test_comment_required():
    with pytest.raises(TransitionError) as exc:
        GRAPH.check("send_back", "done", {"office"}, comment="  ")
    assert exc.value.code == "workflow.comment_required"
    assert GRAPH.check("send_back", "done", {"office"}, comment="缺少附件").target == "draft"


def test_required_fields():
    with pytest.raises(TransitionError) as exc:
        GRAPH.check("submit", "draft", {"unit"}, values={})
    assert exc.value.code == "workflow.fields_required"


def test_role_not_allowed():
    with pytest.raises(TransitionError) as exc:
        GRAPH.check("submit", "draft", {"office"}, values={"summary": "x"})
    assert exc.value.code == "workflow.not_allowed"


def test_graph_validates_itself():
    with pytest.raises(ValueError):
        Workflow("bad", (State("a", "A"),), (Transition("t", "T", ("a",), "zz", frozenset()),), "a")
