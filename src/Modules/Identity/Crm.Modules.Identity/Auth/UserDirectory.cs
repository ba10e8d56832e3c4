using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Auth;

internal sealed class UserDirectory(IdentityDbContext db) : IUserDirectory
{
    public Task<UserSummary?> FindByIdAsync(Guid id, CancellationToken ct) =>
        db.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new UserSummary(u.Id, u.Email, u.Name, u.Active, u.TeamId, u.Roles))
            .SingleOrDefaultAsync(ct);

    public async Task<IReadOnlyDictionary<string, UserSummary>> FindByEmailsAsync(IReadOnlyCollection<string> emails, CancellationToken ct)
    {
        var normalized = emails.Select(Domain.User.Normalize).Distinct().ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => normalized.Contains(u.NormalizedEmail))
            .Select(u => new { u.NormalizedEmail, Summary = new UserSummary(u.Id, u.Email, u.Name, u.Active, u.TeamId, u.Roles) })
            .ToListAsync(ct);
        return users.ToDictionary(u => u.NormalizedEmail, u => u.Summary, StringComparer.OrdinalIgnoreCase);
    }

    public async Task<IReadOnlyDictionary<Guid, UserSummary>> FindByIdsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => wanted.Contains(u.Id))
            .Select(u => new UserSummary(u.Id, u.Email, u.Name, u.Active, u.TeamId, u.Roles))
            .ToListAsync(ct);
        return users.ToDictionary(u => u.Id);
    }
}
