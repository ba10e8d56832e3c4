using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Funnel;

/// <summary>
/// Whose deals a report counts: the caller's visibility (rep: own, manager: team subtree, admin: all), narrowed to the
/// current members of a team and its sub-teams when the report names <c>teamId</c>. The arrays go to SQL as parameters
/// (<c>owner_id = ANY(@owners)</c>).
/// </summary>
internal sealed class ReportScope(AccessScope access, TeamSubtree? team)
{
    public AccessScope Access { get; } = access;

    public bool SeesAll => Access.SeesAll;

    public Guid[] Owners { get; } = access.VisibleOwners.OfType<Guid>().ToArray();

    /// <summary>True when a team filter applies.</summary>
    public bool ByTeam => team is not null;

    /// <summary>The users of the named team's subtree (empty without a team filter).</summary>
    public Guid[] Members { get; } = team?.Members.Select(m => m.UserId).ToArray() ?? [];

    /// <summary>The named team and its sub-teams (empty without a team filter).</summary>
    public Guid[] TeamIds { get; } = team?.TeamIds.ToArray() ?? [];

    /// <summary>Teams whose team-level figures (quotas) the caller may read; empty when they see all.</summary>
    public Guid[] VisibleTeams { get; } = access.VisibleTeams.ToArray();

    /// <summary>Whether a user's figures belong in the report.</summary>
    public bool Includes(Guid userId) => Access.CanSee(userId) && (!ByTeam || Members.Contains(userId));
}

internal sealed class ReportScopes(IAccessScopeProvider access, ITeamDirectory teams)
{
    /// <summary>
    /// The caller's report scope. A team the caller may not report on (a manager's team outside their subtree, another
    /// team than a rep's own) answers 404 like an unknown one, so team ids do not leak.
    /// </summary>
    public async Task<ReportScope> ResolveAsync(Guid? teamId, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        if (teamId is not { } id)
        {
            return new ReportScope(scope, null);
        }

        if (!scope.CanSeeTeam(id))
        {
            throw new NotFoundException("Team", id);
        }

        var subtree = await teams.GetSubtreeAsync(id, ct) ?? throw new NotFoundException("Team", id);
        return new ReportScope(scope, subtree);
    }
}
