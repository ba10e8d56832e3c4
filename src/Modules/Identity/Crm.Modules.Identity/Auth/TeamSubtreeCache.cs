using Crm.Modules.Identity.Data;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// A manager's team subtree and its members (what <see cref="AccessScopeProvider"/> widens their visibility to), cached so
/// a manager's request costs no recursive query. Any change to the tree or to a user's team drops every subtree at once in
/// this process (<see cref="OrganisationChanged"/>); other instances see it within <see cref="UserStateCache.Lifetime"/>.
/// </summary>
internal sealed class TeamSubtreeCache(IMemoryCache cache, IServiceScopeFactory scopes)
{
    private readonly RevocableCache<Guid, IReadOnlyList<SubtreeMember>> _subtrees = new(cache, "identity:team-subtree", UserStateCache.Lifetime);

    public Task<IReadOnlyList<SubtreeMember>> GetAsync(Guid teamId, CancellationToken ct) => _subtrees.GetOrLoadAsync(teamId, LoadAsync, ct);

    /// <summary>
    /// Call after a team was created or moved, or a user got a team or changed it, has committed: one change can move
    /// members into or out of any number of subtrees.
    /// </summary>
    public void OrganisationChanged() => _subtrees.InvalidateAll();

    private async Task<IReadOnlyList<SubtreeMember>> LoadAsync(Guid teamId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await SubtreeMember.QueryAsync(scope.ServiceProvider.GetRequiredService<IdentityDbContext>(), teamId, ct);
    }
}
