using System.Security.Claims;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// Resolves the caller's visibility once per request: one recursive query for a manager's team subtree,
/// none for anyone else.
/// </summary>
internal sealed class AccessScopeProvider(IHttpContextAccessor http, IdentityDbContext db) : IAccessScopeProvider
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
            return new AccessScope(userId, seesAll: true, []);
        }

        var owners = new List<Guid>();
        if (userId is { } self)
        {
            owners.Add(self);
        }

        if (roles.Any(Roles.Managers.Contains) && Guid.TryParse(user.FindFirstValue(CrmClaimTypes.Team), out var teamId))
        {
            owners.AddRange(await db.Database.SqlQuery<Guid>($"""
                WITH RECURSIVE subtree AS (
                    SELECT id FROM identity.teams WHERE id = {teamId}
                    UNION ALL
                    SELECT t.id FROM identity.teams t JOIN subtree s ON t.parent_id = s.id
                )
                SELECT u.id AS "Value" FROM identity.users u WHERE u.team_id IN (SELECT id FROM subtree)
                """).ToListAsync(ct));
        }

        return new AccessScope(userId, seesAll: false, owners);
    }
}
