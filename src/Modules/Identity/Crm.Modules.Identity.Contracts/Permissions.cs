namespace Crm.Modules.Identity.Contracts;

/// <summary>
/// Permissions are <c>area:action</c> strings (<c>customers:read</c>, <c>customers:write</c>). Endpoints
/// require one; roles grant them by pattern and API keys by scope (see docs/modules/identity.md).
/// </summary>
public static class Permissions
{
    public const string UsersRead = "users:read";
    public const string UsersWrite = "users:write";
    public const string TeamsWrite = "teams:write";
    public const string ApiKeysManage = "apiKeys:write";
    public const string AuditRead = "audit:read";
    public const string CustomersRead = "customers:read";
    public const string CustomersWrite = "customers:write";

    /// <summary>Define, change and deactivate the custom fields of customers and contacts (administrators).</summary>
    public const string CustomFieldsManage = "customFields:manage";

    /// <summary>Merge duplicate customers: managers and administrators, not reps, and no API key scope.</summary>
    public const string CustomersMerge = "customers:merge";
    public const string ImportsWrite = "imports:write";
    public const string SalesRead = "sales:read";
    public const string SalesWrite = "sales:write";

    /// <summary>
    /// Configure sales (pipelines, assignment rules, territories, price books, quotas, commission rules) and decide
    /// approvals (discounts, credit overrides, expenses): sales managers and administrators, not reps.
    /// </summary>
    public const string SalesManage = "sales:manage";
    public const string MarketingRead = "marketing:read";
    public const string MarketingWrite = "marketing:write";
    public const string ServiceRead = "service:read";
    public const string ServiceWrite = "service:write";
    public const string AnalyticsRead = "analytics:read";

    /// <summary>Export the personal data held about a person (admins, and managers for their team subtree).</summary>
    public const string PrivacyExport = "privacy:export";

    /// <summary>Erase (anonymise) a person's personal data (admins only).</summary>
    public const string PrivacyManage = "privacy:manage";

    /// <summary>The scopes an API key may be granted.</summary>
    public static IReadOnlyList<string> ApiKeyScopes { get; } =
    [
        CustomersRead, CustomersWrite, ImportsWrite, SalesRead, SalesWrite, MarketingRead, MarketingWrite,
        ServiceRead, ServiceWrite, AnalyticsRead, UsersRead, AuditRead,
    ];
}
