using System.Linq.Expressions;

namespace Crm.Modules.Identity.Contracts;

/// <summary>
/// Which records the caller may see, as data a module turns into SQL: admins, analysts and integrations
/// see everything; managers the records owned by anyone in their team and its sub-teams (and their own);
/// everyone else their own. Records the caller may not see answer 404.
/// </summary>
public sealed class AccessScope
{
    private readonly List<Guid?> _owners;
    private readonly List<Guid> _teams;

    public AccessScope(Guid? userId, bool seesAll, IEnumerable<Guid> visibleOwners, Guid? teamId = null, IEnumerable<Guid>? visibleTeams = null)
    {
        UserId = userId;
        SeesAll = seesAll;
        TeamId = teamId;
        _owners = visibleOwners.Select(id => (Guid?)id).Distinct().ToList();
        _teams = (visibleTeams ?? []).Distinct().ToList();
    }

    /// <summary>The caller's user id (null for an API key).</summary>
    public Guid? UserId { get; }

    public bool SeesAll { get; }

    /// <summary>The caller's own team, if they belong to one.</summary>
    public Guid? TeamId { get; }

    /// <summary>
    /// Teams the caller may report on (team filters, team quotas): a manager's team and its sub-teams, anyone else's
    /// own team; empty when <see cref="SeesAll"/>. Naming a team does not widen <see cref="VisibleOwners"/>: a rep
    /// filtering by their team still sees only their own records.
    /// </summary>
    public IReadOnlyList<Guid> VisibleTeams => _teams;

    /// <summary>Owners whose records the caller sees (empty when <see cref="SeesAll"/>).</summary>
    public IReadOnlyList<Guid?> VisibleOwners => _owners;

    /// <summary>
    /// A predicate over the owner column, translated to SQL (<c>owner_id = ANY(@owners)</c>).
    /// <paramref name="includeUnowned"/> also admits records without owner (a module's public pool).
    /// </summary>
    public Expression<Func<T, bool>> Filter<T>(Expression<Func<T, Guid?>> owner, bool includeUnowned = false)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (SeesAll)
        {
            return _ => true;
        }

        // A member of a captured object, so EF sends the owners as one array parameter (= ANY(@owners)).
        var owners = Expression.Property(Expression.Constant(new OwnerList(_owners)), nameof(OwnerList.Owners));
        var body = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid?)], owners, owner.Body);
        Expression predicate = includeUnowned
            ? Expression.OrElse(Expression.Equal(owner.Body, Expression.Constant(null, typeof(Guid?))), body)
            : body;
        return Expression.Lambda<Func<T, bool>>(predicate, owner.Parameters);
    }

    private sealed class OwnerList(List<Guid?> owners)
    {
        public List<Guid?> Owners { get; } = owners;
    }

    /// <summary>Whether the caller may report on <paramref name="teamId"/> (see <see cref="VisibleTeams"/>).</summary>
    public bool CanSeeTeam(Guid teamId) => SeesAll || _teams.Contains(teamId);

    /// <summary>The same rule for one record already in memory.</summary>
    public bool CanSee(Guid? ownerId, bool includeUnowned = false) =>
        SeesAll || (ownerId is null ? includeUnowned : _owners.Contains(ownerId));
}

/// <summary>A user's place in the organisation tree.</summary>
/// <param name="UserId">The user.</param>
/// <param name="TeamId">The team the user belongs to directly.</param>
public sealed record TeamMember(Guid UserId, Guid TeamId);

/// <summary>A team and everything below it.</summary>
/// <param name="TeamIds">The team and all its sub-teams, at any depth.</param>
/// <param name="Members">The users of those teams, each with their own team.</param>
public sealed record TeamSubtree(IReadOnlyList<Guid> TeamIds, IReadOnlyList<TeamMember> Members);

/// <summary>Read access to the organisation tree for other modules (team reports and team filters).</summary>
public interface ITeamDirectory
{
    /// <summary>The team, its sub-teams and their members in one recursive query; null when the team does not exist.</summary>
    Task<TeamSubtree?> GetSubtreeAsync(Guid teamId, CancellationToken ct);

    /// <summary>The team of each of <paramref name="userIds"/> that belongs to one (users without a team are left out).</summary>
    Task<IReadOnlyList<TeamMember>> GetTeamsOfAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct);
}

/// <summary>Resolves the current caller's <see cref="AccessScope"/> once per request.</summary>
public interface IAccessScopeProvider
{
    Task<AccessScope> GetAsync(CancellationToken ct);
}
