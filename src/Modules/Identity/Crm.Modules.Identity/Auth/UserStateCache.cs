using Crm.Modules.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// Whether a user is active and their current security stamp, cached briefly so validating a token costs no
/// query on most requests. Changes made on this instance take effect at once; on other instances within
/// <see cref="Lifetime"/>.
/// </summary>
internal sealed class UserStateCache(IMemoryCache cache, IServiceScopeFactory scopes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly RevocableCache<Guid, (bool Active, string Stamp, Guid? TeamId)?> _states = new(cache, "identity:user-state", Lifetime);

    public Task<(bool Active, string Stamp, Guid? TeamId)?> GetAsync(Guid userId, CancellationToken ct) =>
        _states.GetOrLoadAsync(userId, LoadAsync, ct);

    /// <summary>Call after the change to the user (status, stamp, roles, team) has committed.</summary>
    public void Invalidate(Guid userId) => _states.Invalidate(userId);

    private async Task<(bool Active, string Stamp, Guid? TeamId)?> LoadAsync(Guid userId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var row = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new { u.Active, u.SecurityStamp, u.TeamId })
            .SingleOrDefaultAsync(ct);
        return row is null ? null : (row.Active, row.SecurityStamp, row.TeamId);
    }
}
