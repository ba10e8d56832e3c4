using Crm.Modules.Identity.Contracts;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// What each role may do, as <c>area:action</c> patterns (<c>*</c> matches any part). Reading and writing
/// records is further limited by record visibility (own / team / all); this table decides 403.
/// </summary>
internal static class RolePermissions
{
    private static readonly Dictionary<string, string[]> Grants = new(StringComparer.Ordinal)
    {
        [Roles.Admin] = ["*:*"],
        [Roles.SalesManager] = ["customers:*", "privacy:export", "sales:*", "imports:write", "marketing:read", "service:read", "analytics:read", "users:read", "audit:read"],
        [Roles.SalesRep] = ["customers:read", "customers:write", "sales:read", "sales:write", "imports:write", "users:read", "audit:read"],
        [Roles.Marketing] = ["marketing:*", "customers:read", "sales:read", "imports:write", "analytics:read", "users:read", "audit:read"],
        [Roles.ServiceManager] = ["service:*", "privacy:export", "customers:read", "customers:write", "customers:merge", "analytics:read", "users:read", "audit:read"],
        [Roles.ServiceAgent] = ["service:*", "customers:read", "users:read", "audit:read"],
        [Roles.Analyst] = ["*:read"],
        [Roles.Integration] = [],
    };

    public static bool Allows(IEnumerable<string> roles, string permission) =>
        roles.Any(role => Grants.TryGetValue(role, out var patterns) && patterns.Any(p => Matches(p, permission)));

    /// <summary>The effective permissions of a set of roles over the known permission names (for <c>GET /me</c>).</summary>
    public static IReadOnlyList<string> Effective(IEnumerable<string> roles, IEnumerable<string> known)
    {
        var held = roles.ToList();
        return known.Where(p => Allows(held, p)).Order(StringComparer.Ordinal).ToList();
    }

    public static bool Matches(string pattern, string permission)
    {
        var (patternArea, patternAction) = Split(pattern);
        var (area, action) = Split(permission);
        return (patternArea == "*" || patternArea == area) && (patternAction == "*" || patternAction == action);
    }

    private static (string Area, string Action) Split(string permission)
    {
        var colon = permission.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (permission, string.Empty) : (permission[..colon], permission[(colon + 1)..]);
    }
}
