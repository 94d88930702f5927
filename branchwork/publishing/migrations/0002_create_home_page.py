"""Replace Wagtail's placeholder root page with our home page and point the default site at it."""

from django.db import migrations


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("publishing.HomePage")

    if HomePage.objects.exists():
        return
    # Wagtail's first migration made a "Welcome to your new Wagtail site!" page at depth 2.
    Page.objects.filter(depth=2, url_path="/home/").delete()
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="publishing")
    locale = Locale.objects.order_by("pk").first()
    home = HomePage.objects.create(
        title="首页",
        draft_title="首页",
        slug="home",
        content_type=content_type,
        path=root.path + "0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=locale.pk if locale else None,
        intro="",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": home.pk, "site_name": "Branchwork"},
    )


def remove_home_page(apps, schema_editor):
    apps.get_model("publishing.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
