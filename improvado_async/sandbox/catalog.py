"""Static catalogs shared by every workspace: destinations (more catalogs join per area)."""

from __future__ import annotations

import attrs


@attrs.frozen
class Destination:
    """A destination type (``name`` is the ``destination_name`` path value)."""

    name: str
    title: str


DESTINATIONS: tuple[Destination, ...] = (
    Destination("bigquery", "Google BigQuery"),
    Destination("snowflake", "Snowflake"),
    Destination("redshift", "Amazon Redshift"),
    Destination("postgresql", "PostgreSQL"),
    Destination("mysql", "MySQL"),
    Destination("clickhouse", "ClickHouse"),
    Destination("mssql", "Microsoft SQL Server"),
    Destination("s3", "Amazon S3"),
    Destination("gcs", "Google Cloud Storage"),
    Destination("azure_blob", "Azure Blob Storage"),
)


def destination(name: str) -> Destination | None:
    """The destination type called ``name``, if any."""
    return next((item for item in DESTINATIONS if item.name == name), None)


@attrs.frozen
class AgencyRecipe:
    """An agency recipe that can be enabled in a workspace."""

    id: int
    title: str
    description: str


AGENCY_RECIPES: tuple[AgencyRecipe, ...] = (
    AgencyRecipe(1, "Paid Media Performance", "Cross-channel spend, clicks and conversions."),
    AgencyRecipe(2, "Marketing Common Data Model", "Unified schema across ad platforms."),
    AgencyRecipe(3, "Web Analytics Funnel", "Sessions to conversions funnel from GA4."),
    AgencyRecipe(4, "Social Organic Overview", "Organic reach and engagement."),
)


@attrs.frozen
class Dashboard:
    """A dashboard template every workspace exposes."""

    dashboard_id: int
    title: str
    data_name: str


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard(11, "Paid Media Overview", "paid_media"),
    Dashboard(12, "Campaign Performance", "campaigns"),
    Dashboard(13, "Web Analytics", "web_analytics"),
)


@attrs.frozen
class DataSource:
    """A data source type (``name`` is the ``datasource_name`` path value)."""

    name: str
    title: str
    categories: tuple[str, ...]


DATASOURCES: tuple[DataSource, ...] = (
    DataSource("facebook", "Facebook Ads", ("advertising", "social")),
    DataSource("google_ads_ql", "Google Ads", ("advertising", "search")),
    DataSource("analyticsdata", "Google Analytics 4", ("analytics", "web")),
    DataSource("google_cm", "Campaign Manager 360", ("advertising",)),
    DataSource("google_dbm", "Display & Video 360", ("advertising", "programmatic")),
    DataSource("tiktok_ads", "TikTok Ads", ("advertising", "social")),
    DataSource("pinterest_ads", "Pinterest Ads", ("advertising", "social")),
    DataSource("youtube_organic", "YouTube Organic", ("social", "video")),
    DataSource("reddit", "Reddit Ads", ("advertising", "social")),
    DataSource("linkedin_ads", "LinkedIn Ads", ("advertising", "social")),
    DataSource("twitter_ads", "X (Twitter) Ads", ("advertising", "social")),
    DataSource("snapchat_ads", "Snapchat Ads", ("advertising", "social")),
    DataSource("bing_ads", "Microsoft Advertising", ("advertising", "search")),
    DataSource("amazon_ads", "Amazon Ads", ("advertising", "ecommerce")),
    DataSource("shopify", "Shopify", ("ecommerce",)),
    DataSource("hubspot", "HubSpot", ("crm", "marketing_automation")),
    DataSource("salesforce", "Salesforce", ("crm",)),
    DataSource("marketo", "Marketo", ("marketing_automation",)),
    DataSource("mailchimp", "Mailchimp", ("email",)),
    DataSource("google_search_console", "Google Search Console", ("seo", "search")),
    DataSource("instagram_organic", "Instagram Organic", ("social",)),
    DataSource("the_trade_desk", "The Trade Desk", ("advertising", "programmatic")),
    DataSource("criteo", "Criteo", ("advertising", "retargeting")),
    DataSource("google_sheets", "Google Sheets", ("files",)),
)


def datasource(name: str) -> DataSource | None:
    """The data source called ``name``, if any."""
    return next((item for item in DATASOURCES if item.name == name), None)
