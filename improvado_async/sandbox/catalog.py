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


@attrs.frozen
class RecipeTemplate:
    """An automated-recipe template (global, read-only)."""

    id: int
    title: str
    description: str
    data_sources: tuple[str, ...]
    steps: tuple[str, ...]


RECIPE_TEMPLATES: tuple[RecipeTemplate, ...] = (
    RecipeTemplate(
        9001,
        "Paid Social Performance",
        "Spend, reach and conversions across social ad platforms.",
        ("facebook", "tiktok_ads", "linkedin_ads"),
        ("extract", "normalize", "union", "model"),
    ),
    RecipeTemplate(
        9002,
        "Search Ads Overview",
        "Google and Microsoft search campaigns in one model.",
        ("google_ads_ql", "bing_ads"),
        ("extract", "normalize", "model"),
    ),
    RecipeTemplate(
        9003,
        "Web Analytics Funnel",
        "GA4 sessions joined to paid media spend.",
        ("analyticsdata", "facebook", "google_ads_ql"),
        ("extract", "join", "model"),
    ),
    RecipeTemplate(
        9004,
        "Marketing Common Data Model",
        "Improvado MCDM across every connected ad platform.",
        ("facebook", "google_ads_ql", "tiktok_ads", "reddit", "pinterest_ads"),
        ("extract", "normalize", "map", "union", "model"),
    ),
    RecipeTemplate(
        9005,
        "CRM Pipeline Attribution",
        "HubSpot and Salesforce deals attributed to campaigns.",
        ("hubspot", "salesforce"),
        ("extract", "join", "attribute", "model"),
    ),
)


#: Webhook event types (name, description).
WEBHOOK_EVENT_TYPES: tuple[tuple[str, str], ...] = (
    ("load_started", "A load has started."),
    ("load_completed", "A load has completed."),
    ("transformation_started", "A transformation has started."),
    ("transformation_completed", "A transformation has completed."),
    ("extraction_created", "An extraction has been created."),
    ("extraction_paused", "An extraction has been paused."),
)


@attrs.frozen
class Permission:
    """One permission of a product layer."""

    code: str
    title: str
    description: str


@attrs.frozen
class PermissionLayer:
    """A product layer of the permission catalog."""

    code: str
    title: str
    description: str
    permissions: tuple[Permission, ...]


def _crud(subject: str, extra: tuple[Permission, ...] = ()) -> tuple[Permission, ...]:
    return (
        Permission("VIEW", "View", f"See {subject}."),
        Permission("CREATE", "Create", f"Create {subject}."),
        Permission("UPDATE", "Update", f"Change {subject}."),
        Permission("DELETE", "Delete", f"Delete {subject}."),
        *extra,
    )


#: Stable, ordered permission catalog (``GET /api/v3/roles/permissions``).
PERMISSION_CATALOG: tuple[PermissionLayer, ...] = (
    PermissionLayer(
        "EXTRACT",
        "Connections & Extractions",
        "Data-source connections, extraction templates and extracts.",
        _crud("connections and extracts", (Permission("RUN", "Run", "Run extracts."),)),
    ),
    PermissionLayer(
        "LOAD",
        "Destinations & Loads",
        "Destination connections and loads.",
        _crud("destinations and loads", (Permission("RUN", "Run", "Run loads."),)),
    ),
    PermissionLayer(
        "TRANSFORM",
        "Transform",
        "Recipes and data transformations.",
        _crud("transformations", (Permission("RUN", "Run", "Build recipes."),)),
    ),
    PermissionLayer(
        "DATA_EXPLORER",
        "Data Explorer",
        "Browse and query data tables.",
        (
            Permission("VIEW", "View", "Browse data tables."),
            Permission("EDIT", "Edit", "Edit saved queries."),
        ),
    ),
    PermissionLayer(
        "DASHBOARDS",
        "Dashboards",
        "Workspace dashboards.",
        (
            Permission("VIEW", "View", "Open dashboards."),
            Permission("EDIT", "Edit", "Edit dashboards."),
        ),
    ),
    PermissionLayer(
        "AI_AGENT",
        "AI Agent",
        "The AI assistant.",
        (Permission("USE", "Use", "Ask the AI agent."),),
    ),
    PermissionLayer(
        "NAMING_CONVENTION",
        "Naming Convention rules",
        "Naming convention rules.",
        (
            Permission("VIEW", "View", "See rules."),
            Permission("EDIT", "Edit", "Edit rules."),
        ),
    ),
    PermissionLayer(
        "USERS_ROLES",
        "Users & Roles",
        "Workspace users and their roles.",
        (
            Permission("VIEW", "View", "See users and roles."),
            Permission("MANAGE", "Manage", "Invite users and assign roles."),
        ),
    ),
)


def permission_pairs() -> set[tuple[str, str]]:
    """Every valid (layer code, permission code) pair."""
    return {(layer.code, p.code) for layer in PERMISSION_CATALOG for p in layer.permissions}
