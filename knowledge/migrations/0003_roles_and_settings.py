"""Who reads, writes, reviews and publishes articles (DOMAIN.md KB-2, KB-3, IS-9), and
the review settings with the working-time calendar (S-47)."""

from django.db import migrations

from staffing.role_grants import grant_role_permissions

READ = ["knowledge.view_article", "knowledge.view_articleversion", "knowledge.view_tag"]
# Everyone who answers customers says whether an article helped or is outdated.
FEEDBACK = [*READ, "knowledge.add_articlefeedback"]
# Editors write drafts and submit them (KB-3: business departments submit content).
EDIT = [*FEEDBACK, "knowledge.add_article", "knowledge.change_article"]
# Reviewers (the information-editing centre) publish and retire, and read every article.
REVIEW = [*EDIT, "knowledge.publish_article", "knowledge.view_restricted_articles"]

ROLE_PERMISSIONS = {
    "agent": FEEDBACK,
    "team_lead": EDIT,
    "complaint_handler": FEEDBACK,
    "tech_support": EDIT,
    "market_legal": EDIT,
    # QA reads and changes nothing (DESIGN.md §4).
    "qa_inspector": READ,
    "cs_manager": REVIEW,
    "centre_director": REVIEW,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    KnowledgeSettings = apps.get_model("knowledge", "KnowledgeSettings")
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    if not KnowledgeSettings.objects.exists():
        working = BusinessCalendar.objects.filter(kind="working_time").order_by("pk").first()
        KnowledgeSettings.objects.create(review_calendar=working)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_search_vector_gin_index"),
        ("sla", "0004_role_permissions"),
        ("staffing", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
