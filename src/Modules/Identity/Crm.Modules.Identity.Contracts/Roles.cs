namespace Crm.Modules.Identity.Contracts;

/// <summary>The roles a user can hold (API spelling). A user may hold several.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string SalesManager = "salesManager";
    public const string SalesRep = "salesRep";
    public const string Marketing = "marketing";
    public const string ServiceManager = "serviceManager";
    public const string ServiceAgent = "serviceAgent";
    public const string Analyst = "analyst";

    /// <summary>The role API keys act with; what a key may do is its scopes. Grants a user no permissions.</summary>
    public const string Integration = "integration";

    public static IReadOnlyList<string> All { get; } =
        [Admin, SalesManager, SalesRep, Marketing, ServiceManager, ServiceAgent, Analyst, Integration];

    /// <summary>Roles that see the records of their team and its sub-teams, not only their own.</summary>
    public static IReadOnlyList<string> Managers { get; } = [SalesManager, ServiceManager];
}
