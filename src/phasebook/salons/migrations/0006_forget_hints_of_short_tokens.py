from django.db import migrations
from django.db.models import Q


def forget_revealing_hints(apps, schema_editor):
    """Hints used to be the first 8 characters of any token, so a short one (a value set by
    hand, e.g. PHASEBOOK_DEMO_TOKEN) was stored in full. Only the hints of tokens phasebook
    generated (pb_ and 43 random characters) are kept; the rest cannot be told apart from
    short tokens, since only a token's hash is stored."""
    ApiToken = apps.get_model("salons", "ApiToken")
    ApiToken.objects.filter(~Q(hint__startswith="pb_") | Q(hint__regex=r"^.{0,7}$")).update(
        hint=""
    )


class Migration(migrations.Migration):

    dependencies = [
        ("salons", "0005_alter_apitoken_hint"),
    ]

    operations = [
        migrations.RunPython(forget_revealing_hints, migrations.RunPython.noop),
    ]
