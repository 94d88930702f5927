"""An Atom feed per channel: its public, published articles (and its sub-channels'), newest first.

Feeds are read by programs that do not log in, and their addresses get shared: they hold public
articles only, whoever asks.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.feedgenerator import Atom1Feed

from branchwork.core import validators
from branchwork.publishing.models import ArticlePage, ChannelPage, Visibility

FEED_ITEMS = 20


class ChannelFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, channel_id):
        self.request = request
        if validators.parse_id(channel_id) is None:  # more than a key holds: no such channel
            raise Http404("No such channel")
        channel = ChannelPage.objects.live().public().filter(pk=channel_id).first()
        if channel is None:
            raise Http404("No such channel")
        return channel

    def title(self, obj):
        return f"{obj.title} · {settings.WAGTAIL_SITE_NAME}"

    def _absolute(self, page) -> str:
        return self.request.build_absolute_uri(page.get_url(self.request))

    def link(self, obj):
        return self._absolute(obj)

    def subtitle(self, obj):
        return strip_tags(obj.intro) or None

    def items(self, obj):
        return (
            ArticlePage.objects.live().public().filter(visibility=Visibility.PUBLIC)
            .descendant_of(obj).select_related("author")
            .prefetch_related("tagged_items__tag")
            .order_by("-first_published_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.display_title

    def item_description(self, item):
        return item.summary_text(400)

    def item_link(self, item):
        return self._absolute(item)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        return item.byline_name or None

    def item_categories(self, item):
        return [tagged.tag.name for tagged in item.tagged_items.all()]
