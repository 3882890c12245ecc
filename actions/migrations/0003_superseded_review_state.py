# A status entry corrected while still awaiting review leaves the review queue: review state "superseded".

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0002_status_entry_reviews'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='statusentry',
            name='status_entry_review_state_valid',
        ),
        migrations.AlterField(
            model_name='statusentry',
            name='review_state',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('accepted', 'Accepted'), ('returned', 'Returned'), ('superseded', 'Superseded by a correction')], default='submitted', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='statusentry',
            constraint=models.CheckConstraint(condition=models.Q(('review_state__in', ['submitted', 'accepted', 'returned', 'superseded'])), name='status_entry_review_state_valid'),
        ),
    ]
