"""The output ModelSerializer renders through one template per class, yet each
serializer's context reaches its method fields and nested serializers."""

import threading

import pytest
from rest_framework import serializers

from csc.lib.serializers import ModelSerializer
from staffing.models import Agent, Team
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


class AgentOutput(ModelSerializer):
    shown_as = serializers.SerializerMethodField()

    class Meta:
        model = Agent
        fields = ["id", "shown_as"]

    def get_shown_as(self, agent) -> str:
        return f"{self.context['viewer']}:{agent.user.username}"


class TeamOutput(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    agents = AgentOutput(many=True)
    viewer = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "kind_label", "agents", "viewer"]

    def get_viewer(self, team) -> str:
        return self.context["viewer"]


@pytest.fixture
def team():
    team = TeamFactory(name="热线一组", kind="hotline")
    AgentFactory(team=team, user__username="wang")
    return team


def test_renders_what_drf_renders(team):
    expected = serializers.ModelSerializer.to_representation(
        TeamOutput(context={"viewer": "lead"}), team
    )
    shown = TeamOutput(team, context={"viewer": "lead"}).data

    assert shown == expected
    assert shown["agents"][0]["shown_as"] == "lead:wang"
    assert shown["kind_label"] == str(Team.Kind.HOTLINE.label)


def test_each_thread_sees_its_own_context_in_nested_serializers(team):
    # Read before the threads start: they render, they do not query.
    team = Team.objects.prefetch_related("agents__user").get(pk=team.pk)
    seen = {}
    start = threading.Barrier(8)

    def render(viewer):
        start.wait()
        for _ in range(50):
            data = TeamOutput(team, context={"viewer": viewer}).data
            assert data["viewer"] == viewer
            assert data["agents"][0]["shown_as"] == f"{viewer}:wang"
        seen[viewer] = data["viewer"]

    threads = [threading.Thread(target=render, args=(f"v{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {f"v{n}": f"v{n}" for n in range(8)}


def test_fields_are_built_once_per_class(team, monkeypatch):
    assert TeamOutput(team, context={"viewer": "a"}).data  # the template exists from here on
    built = []
    original = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(
        serializers.ModelSerializer,
        "get_fields",
        lambda self: built.append(type(self)) or original(self),
    )

    for _ in range(5):
        assert TeamOutput(team, context={"viewer": "b"}).data["viewer"] == "b"
        assert TeamOutput([team], many=True, context={"viewer": "c"}).data[0]["viewer"] == "c"

    assert built == []


def test_a_subclass_that_drops_fields_per_caller_is_refused_at_class_creation():
    # DRF's idiom: drop a field in __init__ for an unprivileged caller. With one
    # template per class, a privileged caller's fields would reach the next one.
    for method in ("__init__", "get_fields", "to_representation"):
        body = {
            "Meta": type("Meta", (), {"model": Team, "fields": ["id", "name"]}),
            "__module__": __name__,
            method: lambda self, *args, **kwargs: None,
        }
        with pytest.raises(TypeError, match=method):
            type("PerCallerOutput", (ModelSerializer,), body)


def test_the_templates_context_is_read_only_with_a_reason(team):
    class Remembering(ModelSerializer):
        name = serializers.SerializerMethodField()

        class Meta:
            model = Team
            fields = ["id", "name"]

        def get_name(self, team) -> str:
            self.context["seen"] = team.pk
            return team.name

    with pytest.raises(TypeError, match="read-only"):
        assert Remembering(team, context={"viewer": "a"}).data


def test_a_mutable_default_is_not_shared_between_serializers():
    class Tagged(ModelSerializer):
        tags = serializers.ListField(child=serializers.CharField(), default=[])
        labels = serializers.JSONField(default={})

        class Meta:
            model = Team
            fields = ["id", "tags", "labels"]

    first, second = Tagged().fields, Tagged().fields
    first["tags"].default.append("vip")
    first["labels"].default["tier"] = "gold"

    assert second["tags"].default == []
    assert second["labels"].default == {}
    assert Tagged().fields["tags"].default == []


def test_switched_off_drf_builds_the_fields_of_every_serializer(team, settings, monkeypatch):
    settings.SERIALIZER_TEMPLATES = False
    built = []
    original = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(
        serializers.ModelSerializer,
        "get_fields",
        lambda self: built.append(type(self)) or original(self),
    )

    for viewer in ("a", "b"):
        shown = TeamOutput(team, context={"viewer": viewer}).data
        assert shown["agents"][0]["shown_as"] == f"{viewer}:wang"

    assert built.count(TeamOutput) == 2
