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

    public async Task<(bool Active, string Stamp, Guid? TeamId)?> GetAsync(Guid userId, CancellationToken ct)
    {
        if (cache.TryGetValue(Key(userId), out (bool, string, Guid?)? state))
        {
            return state;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var row = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new { u.Active, u.SecurityStamp, u.TeamId })
            .SingleOrDefaultAsync(ct);
        state = row is null ? null : (row.Active, row.SecurityStamp, row.TeamId);
        cache.Set(Key(userId), state, Lifetime);
        return state;
    }

    public void Invalidate(Guid userId) => cache.Remove(Key(userId));

    private static string Key(Guid userId) => $"identity:user-state:{userId:N}";
}
