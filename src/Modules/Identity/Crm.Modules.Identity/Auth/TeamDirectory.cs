using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Auth;

internal sealed class TeamDirectory(IdentityDbContext db) : ITeamDirectory
{
    public async Task<TeamSubtree?> GetSubtreeAsync(Guid teamId, CancellationToken ct)
    {
        var rows = await SubtreeMember.QueryAsync(db, teamId, ct);
        return rows.Count == 0
            ? null
            : new TeamSubtree(
                rows.Select(r => r.TeamId).Distinct().ToList(),
                rows.Where(r => r.UserId is not null).Select(r => new TeamMember(r.UserId!.Value, r.TeamId)).ToList());
    }

    public async Task<IReadOnlyList<TeamMember>> GetTeamsOfAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct)
    {
        var wanted = userIds.Distinct().ToList();
        return await db.Users.AsNoTracking()
            .Where(u => wanted.Contains(u.Id) && u.TeamId != null)
            .Select(u => new TeamMember(u.Id, u.TeamId!.Value))
            .ToListAsync(ct);
    }
}
