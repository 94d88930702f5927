"""The old name of `core.richtext` (the one rich-text path), kept while `activities.services`,
which is being changed on another branch, still imports from it. Import from core.richtext."""

from branchwork.core.richtext import clean_rich_text, html_to_text, text_to_html

__all__ = ["clean_rich_text", "html_to_text", "text_to_html"]
