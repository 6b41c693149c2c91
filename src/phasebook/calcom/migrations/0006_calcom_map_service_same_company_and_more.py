# On PostgreSQL an event map's and a map change's service and stylist are of the row's
# company (common/constraints.py, SameCompanyForeignKey).

from django.db import migrations

from phasebook.common.constraints import SameCompanyForeignKey


class Migration(migrations.Migration):

    dependencies = [
        ('calcom', '0005_alter_calcomconnection_base_url'),
        ('salons', '0012_customer_customer_company_key_and_more'),
    ]

    operations = [
        SameCompanyForeignKey('calcomeventmap', 'service', name='calcom_map_service_same_company'),
        SameCompanyForeignKey('calcomeventmap', 'staff', name='calcom_map_staff_same_company'),
        SameCompanyForeignKey('calcomeventmapchange', 'service', name='calcom_map_change_service_same_company'),
        SameCompanyForeignKey('calcomeventmapchange', 'staff', name='calcom_map_change_staff_same_company'),
    ]
