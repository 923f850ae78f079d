from sla.models import SlaPolicy


def test_defaults_loaded(db):
    assert SlaPolicy.objects.count() > 10
