# The exclusion constraints compare UUID/bigint columns with "=" inside a GiST index,
# which needs btree_gist; it comes before any migration that adds such a constraint.
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [BtreeGistExtension()]
