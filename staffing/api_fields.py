"""API fields over staffing's reference data."""

from rest_framework import serializers

from staffing.models import Team
from staffing.reference import teams_by_id


class ActiveTeamField(serializers.PrimaryKeyRelatedField):
    """An active team by id, looked up in the teams kept per process (no query)."""

    # For the schema and the browsable API; validation reads the kept teams.
    queryset = Team.objects.filter(is_active=True)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        team = teams_by_id.get().get(pk)
        if team is None or not team.is_active or (pk != data and str(pk) != str(data).strip()):
            self.fail("does_not_exist", pk_value=data)
        return team
