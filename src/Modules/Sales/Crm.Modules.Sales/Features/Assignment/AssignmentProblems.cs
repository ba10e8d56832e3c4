using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Assignment;

/// <summary>Problems of territories, assignment rules and lead assignment, with stable types (listed in docs/modules/sales.md).</summary>
internal static class AssignmentProblems
{
    public const string UnknownUsersType = ProblemTypes.BaseUri + "unknown-users";
    public const string UnknownTeamType = ProblemTypes.BaseUri + "unknown-team";
    public const string UnknownTerritoryType = ProblemTypes.BaseUri + "unknown-territory";
    public const string DuplicateTerritoryNameType = ProblemTypes.BaseUri + "duplicate-territory-name";
    public const string TerritoryInUseType = ProblemTypes.BaseUri + "territory-in-use";
    public const string DuplicateRulePositionType = ProblemTypes.BaseUri + "duplicate-rule-position";

    /// <summary>422 naming the users that do not exist or are deactivated.</summary>
    public static async Task EnsureActiveUsersAsync(IUserDirectory users, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var found = await users.FindByIdsAsync(ids, ct);
        var missing = ids.Where(id => !found.TryGetValue(id, out var user) || !user.Active).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new BusinessRuleException(UnknownUsersType, "Unknown users", $"These users do not exist or are deactivated: {string.Join(", ", missing)}.");
        }
    }

    /// <summary>
    /// A rule or a territory may distribute over a team that exists (422 otherwise) and that the caller may report on: a
    /// manager's team and its sub-teams, any team for administrators (403 otherwise), so a manager cannot route leads into
    /// another manager's team.
    /// </summary>
    public static async Task EnsureReportableTeamAsync(ITeamDirectory teams, AccessScope scope, Guid teamId, CancellationToken ct)
    {
        if (await teams.GetSubtreeAsync(teamId, ct) is null)
        {
            throw new BusinessRuleException(UnknownTeamType, "Unknown team", $"Team '{teamId}' does not exist.");
        }

        if (!scope.CanSeeTeam(teamId))
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Leads may only be distributed over your team and the teams below it.");
        }
    }

    /// <summary>422 for a team that does not exist or that the caller may not report on: both answer alike, so team ids do not leak.</summary>
    public static BusinessRuleException UnknownTeam(Guid id) =>
        new(UnknownTeamType, "Unknown team", $"Team '{id}' does not exist or is not one you report on.");

    public static BusinessRuleException UnknownTerritory(Guid id) =>
        new(UnknownTerritoryType, "Unknown territory", $"Territory '{id}' does not exist.");

    public static ConflictException DuplicateTerritoryName(string name) =>
        new(DuplicateTerritoryNameType, "Territory name in use", $"Another territory is already called '{name}'.");

    public static ConflictException TerritoryInUse(Guid id) =>
        new(TerritoryInUseType, "Territory in use", $"Territory '{id}' is used by an assignment rule; change or delete the rule first.");

    public static ConflictException DuplicateRulePosition(int position) =>
        new(DuplicateRulePositionType, "Rule position in use", $"Another assignment rule already has position {position}.");
}
