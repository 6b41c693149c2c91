# On PostgreSQL a sync task's appointment and phase are of the task's company
# (common/constraints.py, SameCompanyForeignKey).

from django.db import migrations

from phasebook.common.constraints import SameCompanyForeignKey


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0008_alter_appointmentphase_company'),
        ('calsync', '0004_auto_20261202_0332'),
    ]

    operations = [
        SameCompanyForeignKey('phasesynctask', 'appointment', name='sync_task_appointment_same_company'),
        SameCompanyForeignKey('phasesynctask', 'phase', name='sync_task_phase_same_company'),
    ]
