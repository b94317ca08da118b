"""Seeded global extract templates (Improvado-maintained, read-only, shared by all workspaces)."""

from __future__ import annotations

from .clock import SEEDED_AT
from .records import ExtractTemplate, TemplateField
from .state import SandboxState

_BASE_DIMENSIONS = (
    ("date", "Date", "date"),
    ("campaign_id", "Campaign ID", "string"),
    ("campaign_name", "Campaign Name", "string"),
)
_WIDE_DIMENSIONS = (
    ("ad_id", "Ad ID", "string"),
    ("country", "Country", "string"),
    ("device", "Device", "string"),
)
_METRICS = (
    ("impressions", "Impressions", "integer"),
    ("clicks", "Clicks", "integer"),
    ("spend", "Spend", "float"),
    ("conversions", "Conversions", "integer"),
)

#: Select-type custom settings per data source, with their options.
CUSTOM_SETTINGS: dict[str, dict[str, list[str]]] = {
    "facebook": {
        "attribution_window": ["1d_click", "7d_click", "28d_click", "1d_view"],
        "action_breakdowns": ["action_type", "action_device", "action_destination"],
    },
    "google_ads_ql": {"conversion_action": ["purchase", "lead", "signup", "page_view"]},
    "tiktok_ads": {"report_level": ["advertiser", "campaign", "adgroup", "ad"]},
}

#: (datasource_name, display name) of sources that get a standard and a wide template.
_SOURCES = (
    ("facebook", "Facebook Ads"),
    ("google_ads_ql", "Google Ads"),
    ("linkedin_ads", "LinkedIn Ads"),
    ("tiktok_ads", "TikTok Ads"),
    ("analyticsdata", "Google Analytics 4"),
    ("reddit", "Reddit Ads"),
)


def _fields(*groups: tuple[tuple[str, str, str], ...], kind: str) -> list[TemplateField]:
    return [
        TemplateField(name, title, kind, type_) for group in groups for name, title, type_ in group
    ]


def sql_name(title: str) -> str:
    """SQL-friendly version of a template title."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in title.lower())
    return "_".join(part for part in slug.split("_") if part)


def _template(state: SandboxState, source: str, title: str, *, wide: bool) -> ExtractTemplate:
    dimensions = (_BASE_DIMENSIONS, _WIDE_DIMENSIONS) if wide else (_BASE_DIMENSIONS,)
    return ExtractTemplate(
        id=state.template_ids.next(),
        datasource_name=source,
        title=title,
        description=f"Improvado global template: {title}.",
        data_class="daily",
        sql_name=sql_name(title),
        fields=[*_fields(*dimensions, kind="dimension"), *_fields(_METRICS, kind="metric")],
        created_at=SEEDED_AT,
        updated_at=SEEDED_AT,
        is_wide_template=wide,
        allow_to_select_dimensions=wide,
        custom_settings={k: list(v) for k, v in CUSTOM_SETTINGS.get(source, {}).items()},
        schedules=[{"period": "daily", "time": "03:00"}],
    )


def seed_templates(state: SandboxState) -> None:
    """Add a standard and a wide-report global template for each seeded data source."""
    for source, name in _SOURCES:
        for title, wide in ((f"{name} Campaigns", False), (f"{name} Wide Report", True)):
            template = _template(state, source, title, wide=wide)
            state.templates[template.id] = template
