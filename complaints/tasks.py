"""Celery entry points for complaints: they call a service and hold no rules."""

from celery import shared_task

from complaints.evidence import evidence_audit


@shared_task(acks_late=True, ignore_result=True)
def audit_evidence_chains() -> int:
    """Nightly: verify every evidence chain; returns how many are broken."""
    return len(evidence_audit())
