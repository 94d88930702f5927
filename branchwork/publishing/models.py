"""The portal's pages and the editorial workflow's task.

    HomePage ─┬─ ChannelPage ─┬─ ChannelPage …   (channels nest to any depth)
              │               ├─ SeriesPage      (lists the articles that name it, by part number)
              │               └─ ArticlePage
              └─ SeriesPage

An article is public or internal. An internal article is read by the members of its organization
(and of those under and above it; with none, by every member of the institution: the rule is
in `publishing/permissions.py`): anonymous visitors are sent to log in, and
internal articles never appear in feeds, the sitemap, or lists and search results shown to
those who may not read them (the site search filters them by the same rule). Visibility is a
field, not a Wagtail view restriction: Wagtail's `.public()` builds one condition per restricted
page, which would not scale to thousands of internal articles.

Contributions (members' articles, from the web form or by email) are articles that start as
drafts and go through the editorial workflow: an `EditorialTask` for the editor, then one for the
signer (`editorial.setup_editorial` creates them). Approving stamps the approver as the
article's responsible editor (责任编辑) or signer (签发人).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction, Task, TaskState
from wagtail.search import index

from branchwork.core import permissions
from branchwork.core.models import Person, Role
from branchwork.publishing.blocks import ArticleBodyBlock

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")
ARTICLES_PER_PAGE = 20


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (members only)")


class ArticleLanguage(models.TextChoices):
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")


class ContributionSource(models.TextChoices):
    """How a contribution arrived. Articles the editors write themselves have none."""

    NONE = "", _("—")
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")


def with_part_number(title: str, part: int | None, language: str = ArticleLanguage.CHINESE) -> str:
    """"支部书记谈四强" and 2 → "支部书记谈四强（2）"; English titles get " (2)"."""
    if not part:
        return title
    suffix = f" ({part})" if (language or "").startswith("en") else f"（{part}）"
    return title if title.endswith(suffix) else f"{title}{suffix}"


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True,
                             help_text=_("Shown to readers who chose English; empty: the Chinese one."))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("intro_en")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["publishing.ChannelPage", "publishing.SeriesPage"]

    class Meta:
        verbose_name = _("home page")

    @property
    def display_intro(self) -> str:
        return self.intro_en if _english() and self.intro_en else self.intro

    def route(self, request, path_components):
        """Find the page of a whole path in one query for an article, two for other pages (its row
        by slug and URL path, then its specific row), instead of two for every level of channels. A page type with routes of its
        own, and any path not found so, take Wagtail's walk down the tree."""
        if not path_components:
            # This instance may come from the cache (serving.attach_cached_site): serve the
            # home page as it is now.
            current = HomePage.objects.filter(pk=self.pk).first()
            if current is None:
                raise Http404("No such page")
            return super(HomePage, current).route(request, path_components)
        url_path = self.url_path + "/".join(path_components) + "/"
        where = {"slug": path_components[-1], "url_path": url_path, "path__startswith": self.path}
        # Most requests are for articles: look there first, in one query (with the organization
        # that an internal article's reader is checked against, and the people it names).
        article = (
            ArticlePage.objects.select_related("organization", "author__unit", "responsible_editor", "signer")
            .filter(**where)
            .first()
        )
        if article is not None:
            return article.route(request, [])
        found = Page.objects.filter(**where).first()
        if found is None:
            return super().route(request, path_components)
        page = found.specific
        if type(page).route is not Page.route:
            return super().route(request, path_components)
        return page.route(request, [])

    def get_context(self, request, *args, **kwargs):
        from branchwork.publishing import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_context(self, request))
        return context


class ChannelPage(Page):
    """A channel (栏目) of the portal; channels nest to any depth."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True,
                                help_text=_("Shown to readers who chose English; empty: the title."))
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    intro_en = RichTextField(_("introduction (English)"), blank=True, features=INTRO_FEATURES)
    accepts_contributions = models.BooleanField(
        _("accepts contributions"),
        default=False,
        help_text=_(
            "Members' contributions (from the web form or by email) arrive here as drafts. "
            "The first such channel is the default."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("title_en"), FieldPanel("intro"), FieldPanel("intro_en")]
    settings_panels = Page.settings_panels + [FieldPanel("accepts_contributions")]
    parent_page_types = ["publishing.HomePage", "publishing.ChannelPage"]
    subpage_types = ["publishing.ChannelPage", "publishing.SeriesPage", "publishing.ArticlePage"]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    @property
    def display_title(self) -> str:
        """The title in the language shown: the English one in English when there is one."""
        return self.title_en if _english() and self.title_en else self.title

    @property
    def display_intro(self) -> str:
        return self.intro_en if _english() and self.intro_en else self.intro

    def get_context(self, request, *args, **kwargs):
        from branchwork.publishing import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.channel_page_context(self, request))
        return context


class SeriesPage(Page):
    """A series (系列) of numbered articles, e.g. "支部书记谈四强（1）, （2）, （3）"."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["publishing.HomePage", "publishing.ChannelPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def get_context(self, request, *args, **kwargs):
        from branchwork.publishing import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.series_page_context(self, request))
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "publishing.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(Page):
    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=ArticleLanguage.choices, default=ArticleLanguage.CHINESE
    )
    author = models.ForeignKey(
        Person,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_articles",
    )
    author_name = models.CharField(
        _("author as printed"),
        max_length=120,
        blank=True,
        help_text=_("For an author who is not in Branchwork, or to print the name differently."),
    )
    author_affiliation = models.CharField(
        _("unit and position as printed"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the author's unit and position as recorded."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Shown in lists and feeds. Empty: the first paragraph.")
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    # No index on visibility: two values select nothing, and SQLite (which keeps no statistics)
    # would take such an index to scan every public article instead of the few asked for.
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        help_text=_("Internal articles are read by logged-in members only, and never appear in feeds."),
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_articles",
        help_text=_(
            "Whose article it is. Internal: read by the members of this organization and of those "
            "under it, and by those above it. Empty: by every member of the institution."
        ),
    )
    series = models.ForeignKey(
        "publishing.SeriesPage",
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
    )
    part_number = models.PositiveSmallIntegerField(_("part number"), null=True, blank=True)
    responsible_editor = models.ForeignKey(
        Person,
        verbose_name=_("responsible editor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Filled in when an editor approves the article in the workflow."),
    )
    signer = models.ForeignKey(
        Person,
        verbose_name=_("signer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Filled in when a signer signs the article off in the workflow."),
    )
    contributed_via = models.CharField(
        _("contributed via"), max_length=10, choices=ContributionSource.choices, blank=True, default=""
    )

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        MultiFieldPanel(
            [
                FieldPanel("author"),
                FieldRowPanel([FieldPanel("author_name"), FieldPanel("author_affiliation")]),
                FieldPanel("source"),
            ],
            heading=_("Byline"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
        FieldRowPanel([FieldPanel("visibility"), FieldPanel("organization"), FieldPanel("language")]),
        FieldRowPanel([FieldPanel("series"), FieldPanel("part_number")], heading=_("Series")),
        FieldRowPanel(
            [FieldPanel("responsible_editor"), FieldPanel("signer")], heading=_("Sign-off")
        ),
    ]
    parent_page_types = ["publishing.ChannelPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [
        index.SearchField("subtitle"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author_name"),
        index.FilterField("visibility"),
        index.FilterField("organization"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["series", "part_number"]),
            # Who may read an article (its visibility and organization) without reading its row:
            # SQLite keeps them after the body, in overflow pages, so filtering a channel's
            # thousands of articles by them read every body (a channel page of 1,800 articles:
            # 73 ms without this index, 40 ms with it).
            models.Index(fields=["page_ptr", "visibility", "organization"], name="publishing_article_readers"),
        ]

    # --- Display ---

    @property
    def display_title(self) -> str:
        return with_part_number(self.title, self.part_number if self.series_id else None, self.language)

    @property
    def published_at(self):
        return self.first_published_at or self.go_live_at

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL

    @property
    def byline_name(self) -> str:
        if self.author_name:
            return self.author_name
        return self.author.display_name if self.author_id and self.author else ""

    @property
    def byline_affiliation(self) -> str:
        if self.author_affiliation:
            return self.author_affiliation
        if not (self.author_id and self.author):
            return ""
        unit = self.author.unit.display_name if self.author.unit_id and self.author.unit else ""
        return " ".join(part for part in (unit, self.author.display_position) if part)

    def summary_text(self, length: int = 160) -> str:
        """The summary, else the start of the first paragraph, as plain text."""
        from branchwork.publishing.richtext import first_paragraph_text

        text = self.summary or first_paragraph_text(self.body)
        return text if len(text) <= length else text[: length - 1].rstrip() + "…"

    # --- Validation ---

    def clean(self):
        super().clean()
        if self.part_number and not self.series_id:
            raise ValidationError({"part_number": _("A part number needs a series.")})
        if self.series_id and not self.part_number:
            raise ValidationError({"part_number": _("Give the article's number in its series.")})
        if self.series_id and self.part_number:
            taken = ArticlePage.objects.filter(series_id=self.series_id, part_number=self.part_number)
            if self.pk:
                taken = taken.exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(
                    {"part_number": _("Another article is already part %(n)s of this series.")
                     % {"n": self.part_number}}
                )

    # --- Serving ---

    def serve(self, request, *args, **kwargs):
        if not permissions.can(request.user, "read", self):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404("No such page")
        response = super().serve(request, *args, **kwargs)
        if self.is_internal:
            patch_cache_control(response, private=True)
        return response

    def get_view_restrictions(self):
        """Wagtail's view restrictions on this page and above it, which Wagtail reads (two
        queries) before serving every page: none, without asking, when the portal's cached
        structure shows no restriction on the way (it follows every restriction's change,
        selectors.portal_generation)."""
        from branchwork.publishing.selectors import portal_structure

        if portal_structure().unrestricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_template(self, request, *args, **kwargs):
        if request.GET.get("print") == "1":
            return "publishing/article_print.html"
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from branchwork.publishing import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.article_page_context(self, request))
        return context

    def get_sitemap_urls(self, request=None):
        if self.is_internal:
            return []
        return super().get_sitemap_urls(request)

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            # A full save is the saved content (a draft's page row, or a publication): keep the
            # record of the images it shows in step with it.
            from branchwork.publishing.richtext import image_ids_in

            ImageUse.objects.filter(page=self).delete()
            ImageUse.objects.bulk_create(
                [ImageUse(page=self, image_id=image_id) for image_id in sorted(image_ids_in(self.body))]
            )
        return result


class ImageUse(models.Model):
    """Which images an article's saved content shows: who may fetch an image follows from it.

    Kept by ArticlePage.save(); anonymous visitors get an image only when a live public article
    shows it.
    """

    page = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="image_uses")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"image {self.image_id} in page {self.page_id}"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "image"], name="image_use_once")]
        indexes = [models.Index(fields=["image", "page"])]


# --- The editorial workflow ---


class EditorialTask(Task):
    """A step of the editorial workflow, done by whoever holds a role today.

    `role` is core's Role.EDITOR (the editor reviews and edits) or Role.SIGNER (the signer signs
    off). Approving records the approver on the article as its responsible editor or signer.
    """

    ROLE_CHOICES = [(Role.EDITOR.value, Role.EDITOR.label), (Role.SIGNER.value, Role.SIGNER.label)]

    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES)

    admin_form_fields = Task.admin_form_fields + ["role"]

    class Meta:
        verbose_name = _("editorial step")
        verbose_name_plural = _("editorial steps")

    @classmethod
    def get_description(cls):
        return _("Those who hold the chosen role (editor or signer) today approve this step.")

    def user_may_act(self, user) -> bool:
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        cache = user.__dict__.setdefault("_branchwork_editorial_roles", {})
        if self.role not in cache:
            cache[self.role] = permissions.holds_current_role(user, self.role)
        return cache[self.role]

    def user_can_access_editor(self, obj, user):
        return self.user_may_act(user)

    def locked_for_user(self, obj, user):
        return not self.user_may_act(user)

    def user_can_lock(self, obj, user):
        return self.user_may_act(user)

    def get_actions(self, obj, user):
        if not self.user_may_act(user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self.user_may_act(user):
            return TaskState.objects.filter(task=self, status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name in ("approve", "reject") and not self.user_may_act(user):
            raise PermissionDenied("Only those holding this step's role today may act on it.")
        if action_name == "approve":
            self.stamp(task_state, user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def stamp(self, task_state, user) -> None:
        """Name the approver on the article (a new revision, so that publishing carries it)."""
        person = Person.objects.filter(user=user).first() if user else None
        if person is None:
            return
        state = task_state.workflow_state
        page = ArticlePage.objects.filter(pk=state.object_id).first()
        if page is None:
            return
        field = "responsible_editor" if self.role == Role.EDITOR else "signer"
        draft = page.get_latest_revision_as_object()
        if getattr(draft, f"{field}_id") == person.pk:
            return
        setattr(draft, field, person)
        draft.save_revision(user=user, log_action=False, clean=False)
