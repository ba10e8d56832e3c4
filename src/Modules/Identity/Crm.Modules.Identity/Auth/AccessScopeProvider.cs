using System.Security.Claims;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// Resolves the caller's visibility once per request from the token's claims; a manager's team subtree comes from
/// <see cref="TeamSubtreeCache"/> (one recursive query when it is not remembered).
/// </summary>
internal sealed class AccessScopeProvider(IHttpContextAccessor http, TeamSubtreeCache subtrees) : IAccessScopeProvider
{
    private static readonly string[] SeeEverything = [Roles.Admin, Roles.Analyst, Roles.Integration];

    private AccessScope? _scope;

    public async Task<AccessScope> GetAsync(CancellationToken ct) => _scope ??= await ResolveAsync(ct);

    private async Task<AccessScope> ResolveAsync(CancellationToken ct)
    {
        var user = http.HttpContext?.User;
        if (user?.Identity?.IsAuthenticated != true)
        {
            return new AccessScope(null, seesAll: false, []);
        }

        var roles = user.FindAll(CrmClaimTypes.Role).Select(c => c.Value).ToList();
        var isApiKey = user.HasClaim(CrmClaimTypes.ActorKind, HttpCurrentActor.ApiKeyKind);
        var userId = !isApiKey && Guid.TryParse(user.FindFirstValue(CrmClaimTypes.Subject), out var id) ? id : (Guid?)null;
        if (isApiKey || roles.Any(SeeEverything.Contains))
        {
            return new AccessScope(userId, seesAll: true, [], Guid.TryParse(user.FindFirstValue(CrmClaimTypes.Team), out var adminTeam) ? adminTeam : null);
        }

        var owners = new List<Guid>();
        if (userId is { } self)
        {
            owners.Add(self);
        }

        Guid? team = Guid.TryParse(user.FindFirstValue(CrmClaimTypes.Team), out var teamId) ? teamId : null;
        var teams = team is { } own ? new List<Guid> { own } : [];
        if (roles.Any(Roles.Managers.Contains) && team is not null)
        {
            var subtree = await subtrees.GetAsync(teamId, ct);
            teams.AddRange(subtree.Select(m => m.TeamId));
            owners.AddRange(subtree.Where(m => m.UserId is not null).Select(m => m.UserId!.Value));
        }

        return new AccessScope(userId, seesAll: false, owners, team, teams);
    }
}

/// <summary>A team of a subtree and one of its members (snake-case columns by the naming convention).</summary>
internal sealed record SubtreeMember(Guid TeamId, Guid? UserId)
{
    /// <summary>One row per team of the subtree and member (user null for a team without members), in one recursive query.</summary>
    public static async Task<List<SubtreeMember>> QueryAsync(IdentityDbContext db, Guid teamId, CancellationToken ct) =>
        await db.Database.SqlQuery<SubtreeMember>($"""
            WITH RECURSIVE subtree AS (
                SELECT id FROM identity.teams WHERE id = {teamId}
                UNION ALL
                SELECT t.id FROM identity.teams t JOIN subtree s ON t.parent_id = s.id
            )
            SELECT s.id AS team_id, u.id AS user_id FROM subtree s LEFT JOIN identity.users u ON u.team_id = s.id
            """).ToListAsync(ct);
}
